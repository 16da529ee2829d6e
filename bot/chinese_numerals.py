"""Amounts written in Chinese numerals, read as digits: `十万` is `10万`, `一百五十万` is `150万`.

Marketers write follower and price bounds the way they say them (`粉丝十万以上`, `报价五千以内`);
the grammar reads digits. Only a run of numerals that starts a value is converted, and only when it
holds a numeral character the digit grammar does not already read (`5千` stays as it is), so a
keyword such as `十万个为什么` is untouched: the grammar calls this only on a filter's value.
"""

from __future__ import annotations

import re

from bot.vocabulary import DIGIT_UNIT_NUMERALS, NUMERAL_BIG_UNITS, NUMERAL_DIGITS, NUMERAL_UNITS

_NUMERALS = "".join([*NUMERAL_DIGITS, *NUMERAL_UNITS, *NUMERAL_BIG_UNITS])
_RUN = re.compile(rf"[\d{_NUMERALS}]+")
# A run converts only when it holds one of these: `5千` and `5万` are the digit grammar's already.
_CHINESE = frozenset(NUMERAL_DIGITS) | frozenset(NUMERAL_UNITS) - DIGIT_UNIT_NUMERALS
ZERO = next(n for n, v in NUMERAL_DIGITS.items() if v == 0)


def _value(run: str) -> int | None:
    """十五 = 15, 两千五 = 2500, 一百零五 = 105, 一万五 = 15000, 一亿五千万 = 150000000, 1百 = 100;
    None for what is no one number (`一两万`, `三五千`: a spoken range; `十十`)."""
    grand = section = pending = 0
    digit = unit = False  # the last character was a digit / a small unit
    small = 1  # the last unit's size, for a trailing digit (`两千五`: 5 hundreds)
    for ch in run:
        if ch == ZERO:  # `一百零五`: a place skipped (after a digit it is no number: `五零万`)
            if digit:
                return None
            digit = unit = False
            small = 1
        elif ch.isdigit() or ch in NUMERAL_DIGITS:
            if digit and not ch.isdigit():
                return None  # two numerals side by side: `一两`, `三五`
            pending = pending * 10 + int(ch) if ch.isdigit() else NUMERAL_DIGITS[ch]
            digit, unit = True, False
        elif ch in NUMERAL_UNITS:
            if unit:
                return None  # `十十`
            section += (pending or 1) * NUMERAL_UNITS[ch]
            pending, small, digit, unit = 0, NUMERAL_UNITS[ch], False, True
        else:  # 万, 亿: after the small units (`五千万`)
            grand += (section + pending or 1) * NUMERAL_BIG_UNITS[ch]
            section = pending = 0
            small, digit, unit = NUMERAL_BIG_UNITS[ch], False, False
    if pending and len(run) > 1 and run[-2] in NUMERAL_UNITS | NUMERAL_BIG_UNITS:
        pending *= max(1, small // 10)  # `两千五` is 2500, `一万五` 15000; `一百零五` keeps its 5
    return grand + section + pending


def _spelled(run: str) -> bool:
    """Whether the digit grammar cannot read `run` as it is: a Chinese numeral in it (`5千`, `5万` it
    reads), or a small unit before a big one (`千万`)."""
    chars = set(run)
    return bool(_CHINESE & chars or (chars & set(NUMERAL_UNITS) and chars & set(NUMERAL_BIG_UNITS)))


def arabic(value: str) -> str:
    """`value` with a leading amount in Chinese numerals written in digits; else unchanged."""
    run = _RUN.match(value)
    number = _value(run[0]) if run is not None and _spelled(run[0]) else None
    if run is None or number is None:
        return value
    big = run[0][-1]  # `五万` stays `5万`, so a range's lower end can share its unit (`一到五万`)
    if big in NUMERAL_BIG_UNITS and number % NUMERAL_BIG_UNITS[big] == 0:
        return f"{number // NUMERAL_BIG_UNITS[big]}{big}{value[run.end() :]}"
    return f"{number}{value[run.end() :]}"


def arabic_counts(text: str) -> str:
    """Every amount in numerals in `text` written in digits (`三到五个` is `3到5个`), for a text
    that is only counts, such as a plan's mix."""
    return _RUN.sub(lambda run: arabic(run[0]), text)
