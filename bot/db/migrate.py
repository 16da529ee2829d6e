"""Bring a database to the latest schema: at app start, `kolbot migrate` and the Procfile release.

A database already at the latest revision costs one small query: alembic (about an eighth of a
second of imports) is loaded only when there is something to upgrade. The latest revision is
read from the version files' `revision` / `down_revision` lines, so it needs no import either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot.db.engine import READ_ONLY, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic's package-resource form: found through importlib in a checkout and in a wheel alike.
SCRIPT_LOCATION = "bot.db:migrations"
# Arbitrary constant shared by every kolbot process: two releases starting together take turns.
PG_MIGRATION_LOCK_KEY = 0x6B6F6C626F74
_REVISION = re.compile(r"^revision(?:: [^=]+)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    """The revisions no other revision builds on, from the files in `migrations/versions`."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in files("bot.db").joinpath("migrations", "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        source = script.read_text(encoding="utf-8")
        if revision := _REVISION.search(source):
            revisions.add(revision.group(1))
        if down := _DOWN_REVISION.search(source):
            parents.update(_QUOTED.findall(down.group(1)))
    return revisions - parents


@dataclass(frozen=True)
class Migration:
    """What `migrate` found and left: the revisions before (empty: a new database) and after."""

    before: frozenset[str]
    after: frozenset[str]

    @property
    def applied(self) -> bool:
        return self.before != self.after


def stored_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database's `alembic_version` names (none without the table)."""
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except DBAPIError:  # no table yet (or no database: the upgrade below reports that)
        return frozenset()


def migrate(url: str | URL) -> Migration:
    """Upgrade to head in one transaction; on PostgreSQL under a transaction-scoped advisory lock.
    Returns the revisions before and after (equal when there was nothing to do).

    SQLite needs no extra lock: the engine opens every transaction with BEGIN IMMEDIATE.
    """
    engine = make_engine(url)
    try:
        before = stored_revisions(engine)
        if before == head_revisions():
            return Migration(before, before)
        from alembic import command

        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY})
            # Read again under the lock: another process may have migrated meanwhile.
            before = frozenset(_versions(connection))
            command.upgrade(alembic_config(connection), "head")
            after = frozenset(_versions(connection))
        return Migration(before, after)
    finally:
        engine.dispose()


def _versions(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
