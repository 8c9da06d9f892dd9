"""Defaults that the settings read without importing the database libraries."""

from pathlib import Path


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of a SQLite database file."""
    return f"sqlite+aiosqlite:///{path}"


# Only for Alembic run by hand without a URL; the bot derives its URL from its data folder (bot/config.py).
DEFAULT_URL = "sqlite+aiosqlite:///data/tcpl.db"
