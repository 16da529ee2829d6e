"""China dates: Xingtu counts days in Asia/Shanghai, so every date a deep-dive shows is one.

A quote starting at 2025-08-24 16:00 UTC starts on 2025-08-25 in Xingtu; the price list and the
risk flags both quote it that way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.deepdive.routes import XINGTU_TZ
from bot.formatting import as_utc
from bot.models import Price


def china_date(moment: datetime) -> date:
    """The Xingtu (China) calendar day of `moment`; naive datetimes are UTC."""
    return as_utc(moment).astimezone(XINGTU_TZ).date()


def china_today() -> date:
    return china_date(datetime.now(UTC))


def ended_on(quote: Price | None, today: date) -> date | None:
    """The China day `quote`'s window ended, when that is before `today`: its price is no longer on offer."""
    end = china_date(quote.end_time) if quote is not None and quote.end_time is not None else None
    return end if end is not None and end < today else None
