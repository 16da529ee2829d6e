"""Reading what users type for shortlists: budgets like `20万`, quotes, rebates, statuses, names."""

from __future__ import annotations

import math
import re

from bot.grammar import normalize_text, strip_invisible
from bot.models import Duration
from bot.shortlists.errors import bad_input
from bot.shortlists.models import ItemStatus

NAME_MAX = 80
NOTE_MAX = 2000
_AMOUNT = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>万|w|亿|k|千)?$", re.IGNORECASE)
_UNITS = {"": 1.0, "万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "千": 1e3}
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s*\D*)$")
_PERCENT = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)\s*%?$")


def _number(value: float | str) -> float | None:
    """A non-negative finite amount in yuan from a number or text like `20万`, `¥200,000`, `1.5k元`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = normalize_text(value).strip().lstrip("¥").removesuffix("元").strip()
        if "," in text:  # thousands separators only: 200,000 but not 1,2,3
            if not _GROUPED.match(text):
                return None
            text = text.replace(",", "")
        match = _AMOUNT.match(text)
        if match is None:
            return None
        number = float(match["num"]) * _UNITS[(match["unit"] or "").lower()]
    return number if math.isfinite(number) and number >= 0 else None


def parse_budget(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value)
    if number is None:
        raise bad_input(
            f"“{value}” is not a budget.",
            f"“{value}”不是有效的预算。",
            "Give the budget in yuan, e.g. 200000 or 20万.",
            "请以元为单位填写预算，例如 200000 或 20万。",
        )
    return number


def parse_price(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value)
    if number is None:
        raise bad_input(
            f"“{value}” is not a quoted price.",
            f"“{value}”不是有效的报价。",
            "Give the quote in yuan, zero or more, e.g. 18000 or 1.8万.",
            "请以元为单位填写报价（不小于 0），例如 18000 或 1.8万。",
        )
    return number


def parse_rebate(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and (match := _PERCENT.match(normalize_text(value).strip())):
        number = float(match["num"])
    if number is None or not (0 <= number <= 100):
        raise bad_input(
            f"“{value}” is not a rebate percentage.",
            f"“{value}”不是有效的返点比例。",
            "Give the rebate (返点) as a percentage from 0 to 100, e.g. 15 or 15%.",
            "请填写 0 到 100 之间的返点百分比，例如 15 或 15%。",
        )
    return number


def parse_duration(value: Duration | str) -> Duration:
    try:
        return Duration(value)
    except ValueError:
        choices = ", ".join(d.value for d in Duration)
        raise bad_input(
            f"“{value}” is not a video length.",
            f"“{value}”不是有效的视频时长。",
            f"Choose one of: {choices} (seconds).",
            f"请选择：{choices}（秒）。",
        ) from None


def parse_status(value: ItemStatus | str) -> ItemStatus:
    try:
        return ItemStatus(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ItemStatus)
        raise bad_input(
            f"“{value}” is not a status.",
            f"“{value}”不是有效的状态。",
            f"Choose one of: {choices}.",
            f"请选择：{choices}。",
        ) from None


def parse_vote(value: int) -> int:
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise bad_input(
            f"“{value}” is not a vote.",
            f"“{value}”不是有效的投票。",
            "Vote +1 (👍), -1 (👎) or 0 to take your vote back.",
            "请投 +1（👍）、-1（👎），或 0 撤回投票。",
        )
    return value


def clean_name(value: str) -> str:
    name = " ".join(strip_invisible(value).split())
    if not name or len(name) > NAME_MAX:
        raise bad_input(
            "A shortlist needs a name of 1 to 80 characters.",
            "清单名称需为 1 到 80 个字符。",
            "Pick a short name, e.g. “618 beauty”.",
            "请取一个简短的名称，例如“618美妆”。",
        )
    return name


def clean_note(value: str | None) -> str | None:
    note = (value or "").strip()
    if len(note) > NOTE_MAX:
        raise bad_input(
            f"The note is too long ({len(note)} characters; at most {NOTE_MAX}).",
            f"备注过长（{len(note)} 个字符，最多 {NOTE_MAX} 个）。",
            "Shorten it and try again.",
            "请缩短后重试。",
        )
    return note or None
