"""Run migrations on an async engine, from the alembic CLI or from storage.db.upgrade."""

from __future__ import annotations

import asyncio
import logging
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from storage.db import DEFAULT_URL, make_engine, redact
from storage.models import UTCDateTime, metadata

config = context.config
log = logging.getLogger("alembic.env")

# Only the CLI has an ini file; when the bot upgrades, its own logging setup must stay untouched.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """Pick the URL: storage.db.upgrade's attribute, then `-x url=`, then TCPL_DATABASE_URL."""
    return (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("TCPL_DATABASE_URL")
        or DEFAULT_URL
    )


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the project's column types as plain SQLAlchemy ones so revisions need no project import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and type(obj).__module__.startswith("sqlmodel"):
        return "sa.String()"  # sqlmodel's AutoString is a plain VARCHAR
    return False


def configure(connection: Connection | None = None, **kwargs: Any) -> None:
    """Configure the migration context the same way online and offline."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        compare_type=True,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection is not None and connection.dialect.name == "sqlite",
        **kwargs,
    )


def run_offline() -> None:
    """Emit the SQL to stdout without a database."""
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


# Key of the PostgreSQL advisory lock that serialises migrations ("tcpl" in ASCII).
MIGRATION_LOCK = 0x7463706C


def _run_sync(connection: Connection) -> None:
    configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Instances that start together on an empty database would each see no tables and each
            # create them; the lock makes the later ones wait, then find the schema at head. It is
            # released at commit. (SQLite needs none: its BEGIN IMMEDIATE already serialises.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


async def run_online() -> None:
    """Apply the migrations over one async connection."""
    url = database_url()
    engine = make_engine(url)
    log.info("Migrating %s", redact(url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    # No event loop runs in this thread: the CLI has none, and storage.db.upgrade uses a worker thread.
    asyncio.run(run_online())
