"""Which tables each write transaction touched, from SQLAlchemy events (tests and benchmarks)."""

from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Engine, event

from bot.db.engine import READ_ONLY

_WRITE = re.compile(r'^\s*(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)
_TABLES = "kolbot_test_written_tables"


class WriteLog:
    """The tables each write transaction touched, in the order the transactions began."""

    def __init__(self, engine: Engine) -> None:
        self.transactions: list[set[str]] = []
        self._lock = threading.Lock()
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _begin(self, connection: Any) -> None:
        tables: set[str] | None = None
        if not connection.get_execution_options().get(READ_ONLY, False):
            tables = set()
            with self._lock:
                self.transactions.append(tables)
        connection.info[_TABLES] = tables

    def _statement(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        tables, match = connection.info.get(_TABLES), _WRITE.match(statement)
        if match and tables is not None:
            tables.add(match.group(1))

    def take(self) -> list[set[str]]:
        with self._lock:
            taken, self.transactions = self.transactions, []
        return taken
