"""Persistence: SQLModel tables, the engine (SQLite or PostgreSQL), units of work, migrations."""
