# syntax=docker/dockerfile:1
# Build stage: the locked dependencies in a layer of their own, then the project.
FROM python:3.11-slim AS build
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
# Dependencies change less often than the code: installed before the source is copied, exactly as
# requirements.lock pins them (versions and hashes, wheels only). `make test` runs this line in a fresh
# virtual environment (tests/deploy/test_locked_install.py).
COPY requirements.lock ./
RUN pip install --require-hashes --only-binary=:all: -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY storage ./storage
COPY web ./web
RUN pip install --no-deps .

# Run stage: slim, non-root, data on a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tcpl && mkdir -p /data && chown 10001 /data
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TCPL_DATA_DIR=/data
USER 10001
WORKDIR /data
VOLUME ["/data"]
# Telegram's and Zalo's webhooks (TCPL_WEBHOOK_PORT, TCPL_ZALO_WEBHOOK_PORT), the dashboard (TCPL_WEB_PORT).
EXPOSE 8443 8444 8080
HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 CMD ["tcpl", "health"]
# Serves the configured platforms; refuses to start on an invalid handbook or plan. Without a token
# and without a terminal (no -it) it stops at once with one line saying what to set.
CMD ["tcpl", "run"]
