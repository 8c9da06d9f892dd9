"""Defaults that the settings read without importing the database libraries."""

# Relative to the working directory, like the bot's other local data (data/ is git-ignored).
DEFAULT_URL = "sqlite+aiosqlite:///data/tcpl.db"
