"""Amounts written in Chinese numerals, read as digits: `十万` is `10万`, `一百五十万` is `150万`.

Marketers write follower and price bounds the way they say them (`粉丝十万以上`, `报价五千以内`);
the grammar reads digits. Only a run of numerals that starts a value is converted, and only when it
holds a numeral character the digit grammar does not already read (`5千` stays as it is), so a
keyword such as `十万个为什么` is untouched: the grammar calls this only on a filter's value.
"""

from __future__ import annotations

import re

from bot.vocabulary import DIGIT_UNIT_NUMERALS, NUMERAL_DIGITS, NUMERAL_UNITS

_RUN = re.compile(rf"[\d{''.join(NUMERAL_DIGITS)}{''.join(NUMERAL_UNITS)}]+")
_CHINESE = frozenset(NUMERAL_DIGITS) | frozenset(NUMERAL_UNITS) - DIGIT_UNIT_NUMERALS


def _value(run: str) -> int:
    """十五 = 15, 两千 = 2000, 一百零五 = 105, 1百 = 100."""
    total = pending = 0
    for ch in run:
        if ch.isdigit() or ch in NUMERAL_DIGITS:
            pending = pending * 10 + int(ch) if ch.isdigit() else NUMERAL_DIGITS[ch]
        else:
            total += (pending or 1) * NUMERAL_UNITS[ch]
            pending = 0
    return total + pending


def arabic(value: str) -> str:
    """`value` with a leading amount in Chinese numerals written in digits; else unchanged."""
    run = _RUN.match(value)
    if run is None or not _CHINESE & set(run[0]):
        return value
    return f"{_value(run[0])}{value[run.end() :]}"


def arabic_counts(text: str) -> str:
    """Every amount in numerals in `text` written in digits (`三到五个` is `3到5个`), for a text
    that is only counts, such as a plan's mix."""
    return _RUN.sub(lambda run: arabic(run[0]), text)
