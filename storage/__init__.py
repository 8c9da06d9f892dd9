"""Database layer: SQLModel tables, async engine and sessions, repositories and Alembic migrations."""
