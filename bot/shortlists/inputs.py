"""Reading what users type for shortlists: budgets like `20万`, quotes, rebates, statuses, names."""

from __future__ import annotations

import math
import re
import shlex

from bot.chinese import simplified
from bot.chinese_numerals import arabic
from bot.grammar import normalize_text, strip_invisible
from bot.i18n import Text
from bot.models import Duration
from bot.shortlists.errors import bad_input
from bot.shortlists.models import ItemStatus
from bot.shortlists.vocabulary import (
    AMOUNT,
    BUDGET_EXAMPLE,
    MAX_BUDGET_WORDS,
    OPTION_KEYS,
    QUOTE_EXAMPLE,
    QUOTES,
    REBATE_WORD,
    UNITS,
    YUAN_SUFFIX,
)
from bot.vocabulary import NUMERAL_DIGITS, NUMERAL_UNITS

NAME_MAX = 80
NOTE_MAX = 2000
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s*\D*)$")
_PERCENT = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<pct>%)?$")


def _number(value: float | str) -> float | None:
    """A non-negative finite amount in yuan from a number or text like `20万`, `¥200,000`, `1.5k元`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = simplified(normalize_text(value)).strip().lstrip("¥").removesuffix(YUAN_SUFFIX).strip()
        text = arabic(text)  # `十五万`
        if "," in text:  # thousands separators only: 200,000 but not 1,2,3
            if not _GROUPED.match(text):
                return None
            text = text.replace(",", "")
        match = AMOUNT.match(text)
        if match is None:
            return None
        number = float(match["num"]) * UNITS[(match["unit"] or "").lower()]
    return number if math.isfinite(number) and number >= 0 else None


MAX_BUDGET_YUAN = 1e9  # as a plan's: beyond it a budget is a typo


def parse_budget(value: float | str | None, *, most: float = MAX_BUDGET_YUAN) -> float | None:
    """Yuan, or None for no budget; `most`: above it the budget is refused (a plan checks its own range)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value)
    if number is None:
        raise bad_input(
            Text("“%(value)s” is not a budget.", value=value),
            Text("Give the budget in yuan, e.g. 200000 or %(example)s.", example=BUDGET_EXAMPLE),
        )
    if number > most:  # the channel's parent message would show it
        raise bad_input(
            Text("“%(value)s” is more than any campaign budget.", value=value),
            Text("Give the budget in yuan, at most %(most)s.", most=MAX_BUDGET_WORDS),
        )
    return number


def parse_price(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value)
    if number is None or number > MAX_BUDGET_YUAN:  # beyond any campaign: a typo
        raise bad_input(
            Text("“%(value)s” is not a quoted price.", value=value),
            Text("Give the quote in yuan, zero or more, e.g. 18000 or %(example)s.", example=QUOTE_EXAMPLE),
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
        if 0 < number < 1 and not match["pct"]:  # 0.15: 15 % as a fraction, or 0.15 %?
            raise bad_input(
                Text(
                    "“%(value)s”: a rebate of %(pct)s%% or of %(value)s%%?",
                    value=value,
                    pct=f"{number * 100:g}",
                ),
                Text("Write the rebate (%(word)s) with its %% sign, e.g. 15%%.", word=REBATE_WORD),
            )
    if number is None or not (0 <= number < 100):
        raise bad_input(
            Text("“%(value)s” is not a rebate percentage.", value=value),
            Text(
                "Give the rebate (%(word)s) as a percentage from 0 to under 100, e.g. 15 or 15%%.",
                word=REBATE_WORD,
            ),
        )
    return number


def parse_duration(value: Duration | str) -> Duration:
    try:
        return Duration(value)
    except ValueError:
        choices = ", ".join(d.value for d in Duration)
        raise bad_input(
            Text("“%(value)s” is not a video length.", value=value),
            Text("Choose one of: %(choices)s (seconds).", choices=choices),
        ) from None


def parse_status(value: ItemStatus | str) -> ItemStatus:
    try:
        return ItemStatus(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ItemStatus)
        raise bad_input(
            Text("“%(value)s” is not a status.", value=value),
            Text("Choose one of: %(choices)s.", choices=choices),
        ) from None


def parse_vote(value: int) -> int:
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise bad_input(
            Text("“%(value)s” is not a vote.", value=value),
            Text("Vote +1 (👍), -1 (👎) or 0 to take your vote back."),
        )
    return value


def clean_name(value: str) -> str:
    name = " ".join(strip_invisible(value).split())
    if not name or len(name) > NAME_MAX:
        raise bad_input(
            Text("A shortlist needs a name of 1 to 80 characters."),
            Text("Pick a short name, e.g. “618 beauty”."),
        )
    return name


def clean_note(value: str | None) -> str | None:
    note = (value or "").strip()
    if len(note) > NOTE_MAX:
        raise bad_input(
            Text(
                "The note is too long (%(len)s characters; at most %(NOTE_MAX)s).",
                len=len(note),
                NOTE_MAX=NOTE_MAX,
            ),
            Text("Shorten it and try again."),
        )
    return note or None


def words(text: str, *, closed: bool = False) -> list[str]:
    """Split on spaces, keeping "quoted names" together (straight or curly quotes). A quote left open:
    the words as typed, or with `closed` (a shortlist command, where it would end up in a name)
    refused."""
    lexer = shlex.shlex(text.translate(QUOTES), posix=True)
    lexer.whitespace_split, lexer.quotes, lexer.escape = True, '"', ""
    try:
        return list(lexer)
    except ValueError:  # no closing quotation
        if not closed:
            return text.split()
        opened = text.translate(QUOTES).rfind('"')
        raise bad_input(
            Text("The quote before “%(rest)s” is not closed.", rest=text[opened + 1 :][:40]),
            Text('Put a name with spaces in a pair of quotes, e.g. "Spring skincare".'),
        ) from None


_OPTION = re.compile(r"(?P<key>[^=:]+)[=:](?P<value>.*)")
# a word=value whose word could only be a mistyped option (`budgt=5万`), not a name with `=` in it
# (after NFKC, so a full-width = too), in any script: `budgt=5万`, `预算额=15万`
_LOOKS_LIKE_OPTION = re.compile(r"[^\W\d_]\w{1,19}\s*=.*")
# A Chinese option name with its value right after it, as searches allow (`预算15万`, `时长21-60`).
_VALUE_START = rf"[¥$\d{''.join([*NUMERAL_DIGITS, *NUMERAL_UNITS])}]"  # a number, in digits or numerals
_GLUED = re.compile(
    rf"(?P<key>{'|'.join(k for k in OPTION_KEYS if not k.isascii())})(?P<value>{_VALUE_START}.*)"
)


def new_list_args(args: list[str]) -> tuple[str, dict[str, str]]:
    """`new` arguments: the name (every word that is not an option) and the options by canonical key
    (`budget=20万`, `預算=20萬`, `时长=21-60`)."""
    options: dict[str, str] = {}
    name: list[str] = []
    for arg in args:
        typed = normalize_text(arg)
        glued = None if " " in typed else _GLUED.fullmatch(simplified(typed))  # a quoted name is a name
        option = _OPTION.fullmatch(typed) or glued  # 預算＝15萬, 预算15万, 预算十五万
        canonical = OPTION_KEYS.get(simplified(option["key"]).lower()) if option else None
        if option is not None and canonical is None and _LOOKS_LIKE_OPTION.fullmatch(typed):  # `budgt=5万`
            raise bad_input(
                Text("`%(option)s` is not an option of a new shortlist.", option=arg),
                Text(
                    "Its options are budget= and duration=, e.g. budget=%(example)s duration=21-60.",
                    example=BUDGET_EXAMPLE,
                ),
            )
        if option is None or canonical is None:
            name.append(arg)
        elif canonical in options:
            raise bad_input(
                Text("`%(option)s` is given twice.", option=arg),
                Text("Give each option once, e.g. budget=%(example)s.", example=BUDGET_EXAMPLE),
            )
        else:
            options[canonical] = option["value"]
    return " ".join(name), options
