"""Reading what a DML statement did."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (`Session.execute` is typed as returning a plain `Result`)."""
    return cast(CursorResult[Any], result).rowcount
