# syntax=docker/dockerfile:1
# Build stage: install dependencies in a layer of their own, then the project.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
# Dependencies change less often than the code: cache them before copying the source.
RUN mkdir -p bot knowledge handlers storage && touch bot/__init__.py knowledge/__init__.py \
        handlers/__init__.py storage/__init__.py \
    && pip install . && pip uninstall -y tcpl-bot
COPY bot ./bot
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-deps .

# Run stage: slim, non-root, data on a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tcpl && mkdir -p /data && chown tcpl /data
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TCPL_DATA_DIR=/data
USER tcpl
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443 8080
# Refuse to start on an invalid handbook or plan; then serve the configured platforms.
CMD ["sh", "-c", "tcpl validate && tcpl run"]
