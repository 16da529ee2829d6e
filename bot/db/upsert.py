"""`INSERT … ON CONFLICT` for the backend in use (SQLite and PostgreSQL share the syntax)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_insert(session: Session, model: Any) -> Any:
    """A dialect insert construct with `.on_conflict_do_nothing()` / `.on_conflict_do_update()`."""
    return _INSERTS[session.get_bind().dialect.name](model)
