"""Alembic environment, configured in code by `bot.db.migrate` (no alembic.ini).

The caller passes an open connection in `config.attributes["connection"]`, already inside the
transaction (and, on PostgreSQL, holding the migration lock).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from bot.db.tables import Base, UtcDateTime, is_ours


def _render_item(kind: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes our UTC type as the plain column type it stands for."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER by copying the table
    compare_type=True,
    render_item=_render_item,
    include_name=is_ours,
)
with context.begin_transaction():
    context.run_migrations()
