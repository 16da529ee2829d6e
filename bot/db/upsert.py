"""`INSERT … ON CONFLICT` for the backend in use (SQLite and PostgreSQL share the syntax)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy.orm import Session

# By name: the engine has loaded its own dialect; PostgreSQL's costs 35 ms of a SQLite start-up.
_DIALECTS = {"postgresql": "sqlalchemy.dialects.postgresql", "sqlite": "sqlalchemy.dialects.sqlite"}


def upsert_insert(session: Session, model: Any) -> Any:
    """A dialect insert construct with `.on_conflict_do_nothing()` / `.on_conflict_do_update()`."""
    return import_module(_DIALECTS[session.get_bind().dialect.name]).insert(model)
