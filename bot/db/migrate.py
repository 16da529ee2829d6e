"""Bring a database to the latest schema: at app start, `kolbot migrate` and the Procfile release."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from bot.db.engine import make_engine

# Alembic's package-resource form: found through importlib in a checkout and in a wheel alike.
SCRIPT_LOCATION = "bot.db:migrations"
# Arbitrary constant shared by every kolbot process: two releases starting together take turns.
PG_MIGRATION_LOCK_KEY = 0x6B6F6C626F74


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def migrate(url: str | URL) -> None:
    """Upgrade to head in one transaction; on PostgreSQL under a transaction-scoped advisory lock.

    SQLite needs no extra lock: the engine opens every transaction with BEGIN IMMEDIATE.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY})
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()
