"""The one-line `/kol` search grammar: keywords plus `name op value` filters, in English or Chinese.

The README's "Query grammar" section is the user-facing description. Decisions worth knowing:

* Input is NFKC-normalised first, so full-width ＞ ＜ ＝ ： ％ and digits behave like ASCII.
* Traditional Chinese works like Simplified (`粉絲>=10萬`): every lookup of a typed word in the
  vocabulary goes through `simplified`, tokens keep the characters as typed (so messages quote
  them), and keywords, tags and regions are searched in Simplified, as Xingtu writes them.
* Percentages: a bare number is percent points, so `er>=3` and `er>=3%` both mean 3 %.
* `=` (or `:`) with one value means exactly that value; with `a-b` an inclusive range
  (`1-5万` = `1万-5万`: a unit on the upper end only applies to both). An exact count or money
  value is kept but noted on the card with the `>=` form, and so is a rate written as a ratio
  (`er>=0.03` is 0.03 %: "did you mean 3 %?").
* Marketers' shorthands, one word each (see `_shorthand`): a name followed directly by its
  value (`粉丝10w-50w` = `粉丝=10w-50w`), with a Chinese comparison word before the value
  (`cpm低于50`, `粉丝超过10万`) or a bound word after it (`粉丝10w+`, `报价5000以内`,
  `互动率3%以上`), or the value first (`10w粉以上`, `1-5万粉`). English: `followers=10w+`,
  `followers 10w+` / `10w+ followers`, `cpm under 50`, `followers over 100k`.
* A word that looks like a filter but is not one stays a keyword and is noted on the card.
* The same numeric filter twice narrows (`followers>=10w followers<=50w`); `tag`/`city`
  collect values meaning "any of"; other options: the last one wins.
* Anything that is not a filter is a keyword; "quoted phrases" stay one keyword.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, cast

from bot import vocabulary as vocab
from bot.audience import with_audience_token
from bot.chinese import simplified
from bot.chinese_numerals import arabic
from bot.errors import QueryError
from bot.formatting import Choices, FilterLabel, FilterValue, Joined, Places
from bot.i18n import N_, Text
from bot.models import (
    AudienceTargets,
    CreatorArgs,
    Duration,
    Gender,
    Goal,
    Lang,
    NumRange,
    Query,
    QueryNote,
    SortKey,
    video_type_label,
)

MAX_QUERY_CHARS = 500
MAX_TOP = 20

_QUOTES = vocab.QUOTES
_OP = r"(?:>=|<=|=>|=<|==|≥|≧|≤|≦|>|<|=|:)"
_FILTER = re.compile(
    rf"(?P<name>[^\s=:<>≥≧≤≦{''.join(_QUOTES)}{''.join(_QUOTES.values())}]+)(?P<sp1>\s*)(?P<op>{_OP})(?P<sp2>\s*)"
)
_LEADING_OP = re.compile(r"(>=|<=|=>|=<|≥|≧|≤|≦|>|<)")
_NAME_LIKE = re.compile(r"[A-Za-z_\u3400-\u9fff]+")
_NUMBER = vocab.NUMBER
_RANGE = vocab.RANGE
_CURRENCY = vocab.CURRENCY
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_LIST_SEP = vocab.LIST_SEP
_MULTIPLIERS = vocab.MULTIPLIERS


class _Problem(Exception):
    """A bad value; the caller adds the token to the message."""

    def __init__(self, what: Text) -> None:
        super().__init__(str(what))
        self.what = what


# -- numeric values ------------------------------------------------------------------------------


def _quantity(text: str, *, units: str, example: str) -> float:
    """One number with an optional unit from `units` ("count", "percent" or "none")."""
    text = arabic(simplified(text.strip()))  # `十万` is `10万`
    if units == "count":
        text = _THOUSANDS.sub("", _CURRENCY.sub("", text).strip())
    m = _NUMBER.fullmatch(text)
    if not m:
        raise _Problem(Text("expected a number such as `%(example)s`.", example=example))
    unit = (m["unit"] or "").lower()
    allowed = {"count": set(_MULTIPLIERS), "percent": {"", "%"}, "none": {""}}[units]
    if unit not in allowed:
        raise _Problem(
            Text(
                "the unit `%(unit)s` does not fit here; use a value like `%(example)s`.",
                unit=unit,
                example=example,
            )
        )
    value = float(m["num"]) * _MULTIPLIERS.get(unit, 1.0)
    if not math.isfinite(value):
        raise _Problem(Text("that number is too large."))
    return value


# No creator has more followers, and no video costs more, than this: a larger number is a typo.
_MAX_AMOUNT = 1e10  # 100亿


def _count(text: str) -> float:
    value = _quantity(text, units="count", example="10w")
    if value < 0:
        raise _Problem(Text("it cannot be negative."))
    if value > _MAX_AMOUNT:
        raise _Problem(
            Text("that number is larger than any creator has (%(most)s at most).", most=vocab.MAX_AMOUNT)
        )
    return value


def _money(text: str, *, example: str = f"2{vocab.WAN}") -> float:
    """Yuan; `example` is what a hint suggests (a price `2万`, a CPM `60`, a CPE `2`)."""
    value = _quantity(text, units="count", example=example)
    if value < 0:
        raise _Problem(Text("a price cannot be negative."))
    if value > _MAX_AMOUNT:
        raise _Problem(
            Text("that amount is larger than any price (%(most)s at most).", most=vocab.MAX_AMOUNT)
        )
    return value


def _cpm(text: str) -> float:
    return _money(text, example="60")


def _cpe(text: str) -> float:
    return _money(text, example="2")


def _rate(text: str) -> float:
    value = _quantity(text, units="percent", example="3%")
    if not 0 <= value <= 100:
        raise _Problem(Text("a rate must be between 0% and 100%."))
    return value / 100


def _growth(text: str) -> float:
    value = _quantity(text, units="percent", example="2%")
    if value < -100:
        raise _Problem(Text("growth cannot be below -100%."))
    return value / 100


def _index(text: str) -> float:
    value = _quantity(text, units="none", example="60")
    if not 0 <= value <= 100:
        raise _Problem(Text("the Xingtu index runs from 0 to 100."))
    return value


def _level(text: str) -> float:
    text = arabic(simplified(text.strip())).removesuffix(vocab.LEVEL_SUFFIX)  # `3级`, `3級`, `三级`
    digits = text[1:] if text[:1] in "Ll" else text
    if not digits.isascii() or not digits.isdigit() or int(digits) > 6:
        raise _Problem(Text("e-commerce levels are L0 to L6, e.g. `ecom>=L3`."))
    return float(digits)


@dataclass(frozen=True)
class _Numeric:
    name: str  # Query attribute and grammar name
    parse: Callable[[str], float]


_NUMERIC = {
    f.name: f
    for f in (
        _Numeric("followers", _count),
        _Numeric("price", _money),
        _Numeric("cpm", _cpm),
        _Numeric("cpe", _cpe),
        _Numeric("er", _rate),
        _Numeric("completion", _rate),
        _Numeric("star", _index),
        _Numeric("growth", _growth),
        _Numeric("ecom", _level),
    )
}


def _shared_unit(low: str, high: str) -> str:
    """`1-5万` means 1万-5万 (`一到五万` too): a unitless lower end takes the upper end's unit."""
    a = _NUMBER.fullmatch(arabic(simplified(low.strip())))
    b = _NUMBER.fullmatch(arabic(simplified(high.strip())))
    return low + b["unit"] if a and b and not a["unit"] and b["unit"] else low


def _num_range(spec: _Numeric, op: str, value: str) -> NumRange:
    bounds = _bounds(spec, op, value)
    if spec.parse in (_money, _cpm, _cpe) and bounds.high is not None and bounds.high <= 0:
        # A zero price, CPM or CPE counts as unknown: such a search could never match anyone.
        raise _Problem(Text("it must be more than 0 (a zero price, CPM or CPE counts as unknown)."))
    return bounds


def _bounds(spec: _Numeric, op: str, value: str) -> NumRange:
    if op in ("=", "==", ":"):
        try:
            v = spec.parse(value)
            return NumRange(low=v, high=v)
        except _Problem:
            m = _RANGE.fullmatch(value)
            if not m:
                raise
        low, high = spec.parse(_shared_unit(m["a"], m["b"])), spec.parse(m["b"])
        if low > high:
            raise _Problem(Text("the range is backwards; put the smaller number first."))
        return NumRange(low=low, high=high)
    v = spec.parse(value)
    if (op == "<" and v <= 0 and spec.parse is not _growth) or (op == ">" and spec.parse is _rate and v >= 1):
        raise _Problem(Text("no creator can match that; check the number."))
    return {
        ">": NumRange(low=v, low_inclusive=False),
        ">=": NumRange(low=v),
        "<": NumRange(high=v, high_inclusive=False),
        "<=": NumRange(high=v),
    }[op]


def _intersect(a: NumRange | None, b: NumRange) -> NumRange:
    if a is None:
        return b
    low, low_inc = a.low, a.low_inclusive
    if b.low is not None and (low is None or b.low > low or (b.low == low and not b.low_inclusive)):
        low, low_inc = b.low, b.low_inclusive
    high, high_inc = a.high, a.high_inclusive
    if b.high is not None and (high is None or b.high < high or (b.high == high and not b.high_inclusive)):
        high, high_inc = b.high, b.high_inclusive
    if low is not None and high is not None and (low > high or (low == high and not (low_inc and high_inc))):
        raise _Problem(Text("it contradicts an earlier condition on the same filter."))
    return NumRange(low=low, high=high, low_inclusive=low_inc, high_inclusive=high_inc)


# -- options -----------------------------------------------------------------------------------


def _choices(pairs: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias.casefold(): value for value, aliases in pairs.items() for alias in (value, *aliases)}


def _shown_choices(table: dict[str, str]) -> Choices:
    """The values of an option table, each with the first Chinese word that also means it."""
    chinese: dict[str, str] = {}
    for alias, value in table.items():
        chinese.setdefault(value, value)
        if chinese[value] == value and not alias.isascii():
            chinese[value] = alias
    return Choices(tuple(chinese.items()))


_GENDERS = _choices(vocab.GENDERS)
_DURATIONS = _choices(vocab.DURATIONS)
_SORTS = _choices(vocab.SORTS)
_GOALS = _choices(vocab.GOALS)
_BOOLS = _choices(vocab.BOOLS)
_LANGS = _choices(vocab.LANGS)
_VIEWS = _choices(vocab.VIEWS)

_ALIASES: dict[str, str] = _choices(vocab.ALIASES)


def is_filter_name(typed: str) -> bool:
    """Whether `typed` names a search filter or option (any case, Simplified or Traditional)."""
    return _alias(typed) is not None


def _alias(typed: str) -> str | None:
    """The filter a name stands for, as typed (any case, Simplified or Traditional)."""
    return _ALIASES.get(simplified(typed).casefold())


_AUDIENCE = ("audience_gender", "audience_age", "audience_city_tier", "screen")
_CJK_NUMERIC_ALIASES = sorted(
    (a for a, name in _ALIASES.items() if name in _NUMERIC and not a.isascii()), key=len, reverse=True
)


def _video_length(value: str) -> str:
    """`duration=` as its table knows it: seconds words dropped (`60s+`, `21-60秒`), and one length
    in seconds as the range that holds it (`30秒` → 21-60, `15s` → 1-20, `90` → 60+)."""
    text = vocab.SECONDS.sub("", value.strip())
    if text.isdigit() and int(text) > 0:
        seconds = int(text)
        return "1-20" if seconds <= 20 else "21-60" if seconds <= 60 else "60+"
    return text


def _choice(table: dict[str, str], value: str, message: str) -> str:
    """`value` looked up in `table`; `message` (with `%(options)s`) says what else it could be."""
    try:
        return table[simplified(value.strip()).casefold()]
    except KeyError:
        raise _Problem(Text(message, options=_shown_choices(table))) from None


def _int_in(value: str, low: int, high: int, message: str) -> int:
    """`value` as a whole number in low..high; `message` (with `%(low)s`, `%(high)s`) says so if not."""
    text = value.strip()
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise _Problem(Text(message, low=low, high=high))
    return int(text)


def _place(name: str) -> str:
    """A region as Xingtu writes it, in Chinese: `Shanghai` and `xi'an` are 上海 and 西安."""
    if not _LATIN.search(name):
        return name
    chinese = vocab.PLACES_FROM_EN.get(vocab.place_key(name))
    if chinese is None:
        raise _Problem(
            Text(
                "kolbot does not know “%(place)s” in English: write the province or city in Chinese, as "
                "Xingtu does (e.g. %(example)s).",
                place=name,
                example=vocab.EXAMPLE_REGION,
            )
        )
    return chinese


_LATIN = re.compile("[A-Za-z]")


def _items(value: str) -> list[str]:
    items = [v.strip() for v in _LIST_SEP.split(value) if v.strip()]
    if not items:
        raise _Problem(Text("it needs a value."))
    return items


# -- tokenising --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filter:
    token: str
    name: str  # canonical
    op: str
    value: str
    typed: str = ""  # the name as written, for suggestions on the card


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    close = text.find(_QUOTES[text[pos]], pos + 1)
    if close < 0:
        token = text[pos : pos + 30]
        raise _query_error(
            token,
            Text("The quote in `%(token)s` is never closed: close it or remove it.", token=_shown(token)),
        )
    return text[pos + 1 : close].strip(), close + 1


def _read_word(text: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], end


def _filter_at(text: str, pos: int) -> tuple[_Filter | None, int]:
    """A `name op value` filter starting at `pos`, or (None, pos) when this is a keyword."""
    m = _FILTER.match(text, pos)
    if not m:
        return None, pos
    name, op = _alias(m["name"]), m["op"]
    spaced = bool(m["sp1"] or m["sp2"])
    value_at = m.end()
    if name is None:
        if spaced or not _NAME_LIKE.fullmatch(m["name"]) or (op == ":" and text.startswith("//", value_at)):
            return None, pos
        token, _ = _read_word(text, pos)
        suggestion = difflib.get_close_matches(simplified(m["name"]).casefold(), list(_ALIASES), n=1)
        name = _shown(m["name"])
        hint = (
            Text("Did you mean `%(suggestion)s`?", suggestion=suggestion[0])
            if suggestion
            else Text("See the filters below.")
        )
        raise _query_error(
            token,
            Text(
                "There is no filter called `%(name)s` (in `%(token)s`). %(hint)s",
                name=name,
                token=_shown(token),
                hint=hint,
            ),
        )
    if value_at < len(text) and text[value_at] in _QUOTES:
        value, end = _read_quoted(text, value_at)
    else:
        value, end = _read_word(text, value_at)
    if op in ("=", ":") and (lead := _LEADING_OP.match(value)):
        op, value = lead[1], value[lead.end() :]
    elif op in ("=", ":") and name in _NUMERIC:
        bound, rest = _bound_after(value)
        op, value = (bound, rest) if bound else (op, value)
    return _Filter(text[pos:end], name, _canonical_op(op), value, m["name"]), end


def _canonical_op(op: str) -> str:
    return {"=>": ">=", "≥": ">=", "≧": ">=", "=<": "<=", "≤": "<=", "≦": "<="}.get(op, op)


# Comparison words around a value, longest first: `超过10万`, `10w+`, `5000以内`.
_BOUND_BEFORE = sorted(vocab.BOUND_BEFORE.items(), key=lambda kv: -len(kv[0]))
_BOUND_AFTER = vocab.BOUND_AFTER
_WORD_OPS = {"over": ">", "above": ">", "under": "<", "below": "<", **dict(_BOUND_BEFORE)}
_NUMERIC_NAMES = sorted((a for a, name in _ALIASES.items() if name in _NUMERIC), key=len, reverse=True)
# Names that may follow their value (`10w粉`): the Chinese ones, plus 粉 (followers) on its own.
_TRAILING_NAMES = {**{a: _ALIASES[a] for a in _CJK_NUMERIC_ALIASES}, vocab.FOLLOWERS_SHORT: "followers"}
_LOOKS_NUMERIC = re.compile(r"[+-]?[\d.¥$]")


def _bound_before(text: str) -> tuple[str | None, str]:
    simple = simplified(text)  # the same length: cut `text` where a bound word ends in it
    for word, op in _BOUND_BEFORE:
        if simple.startswith(word):
            return op, text[len(word) :]
    return None, text


def _bound_after(text: str) -> tuple[str | None, str]:
    simple = simplified(text)
    for word, op in _BOUND_AFTER:
        if simple.endswith(word) and len(text) > len(word):
            return op, text[: -len(word)]
    return None, text


def _bounded(token: str, typed: str, before: str | None, after: str | None, value: str) -> _Filter | None:
    """A shorthand filter if `value` is a valid value for the name `typed` (one bound word at most)."""
    alias = simplified(typed).casefold()
    name = _TRAILING_NAMES.get(alias) or _ALIASES[alias]
    op = before or after or "="
    if (before and after) or not _LOOKS_NUMERIC.match(arabic(simplified(value))):
        return None
    try:
        _num_range(_NUMERIC[name], op, value)
    except _Problem:
        return None
    return _Filter(token, name, op, value, typed)


def _shorthand(word: str) -> _Filter | None:
    """A one-word filter: `粉丝10w-50w`, `粉丝10w+`, `cpm低于50`, `报价5000以内`, `10w粉以上`, `1-5万粉`.

    An English name needs a Chinese comparison word (`cpm低于50`); anything else that merely
    starts with a filter name (`涨粉10万秘籍`) stays a keyword.
    """
    folded = simplified(word).casefold()
    for alias in _NUMERIC_NAMES:
        if folded.startswith(alias) and len(word) > len(alias):
            before, rest = _bound_before(word[len(alias) :])
            after, value = _bound_after(rest)
            if alias.isascii() and before is None and rest[len(value) :].isascii():
                continue
            return _bounded(word, word[: len(alias)], before, after, value)
    after, rest = _bound_after(word)
    for alias in sorted(_TRAILING_NAMES, key=len, reverse=True):
        if simplified(rest).endswith(alias) and len(rest) > len(alias):
            inner, value = _bound_after(rest[: -len(alias)])
            typed = rest[-len(alias) :]
            return None if inner and after else _bounded(word, typed, None, inner or after, value)
    return None


def _spaced_shorthand(text: str, pos: int) -> tuple[_Filter | None, int]:
    """A shorthand over two or three words: `followers 10w+`, `10w+ followers`, `cpm under 50`."""
    words: list[tuple[str, int]] = []
    end = pos
    while len(words) < 3:
        while end < len(text) and text[end].isspace():
            end += 1
        if end >= len(text) or text[end] in _QUOTES:
            break
        word, end = _read_word(text, end)
        words.append((word, end))
    names = [_alias(w) in _NUMERIC for w, _ in words]
    if len(words) >= 2 and names[0]:
        bound, value = _bound_after(words[1][0])
        if bound:
            return _bounded(text[pos : words[1][1]], words[0][0], None, bound, value), words[1][1]
        if len(words) == 3 and (op := _WORD_OPS.get(simplified(words[1][0]).casefold())):
            return _bounded(text[pos : words[2][1]], words[0][0], op, None, words[2][0]), words[2][1]
    if len(words) >= 2 and names[1]:
        bound, value = _bound_after(words[0][0])
        if bound:
            return _bounded(text[pos : words[1][1]], words[1][0], None, bound, value), words[1][1]
    return None, pos


_TRAILING_NAME_AFTER_NUMBER = re.compile(
    rf"{vocab.NUMBER_END}(?:{'|'.join(sorted(map(re.escape, _TRAILING_NAMES), key=len, reverse=True))})$"
)


def _looks_like_filter(word: str) -> bool:
    """A number next to a filter name (`粉丝10w++`, `cpm50`, `10w粉`): worth a note if it stays a keyword."""
    if not any(ch.isdigit() for ch in word):
        return False
    folded = simplified(word).casefold()
    starts = any(
        folded.startswith(alias) and not (alias.isascii() and folded[len(alias) : len(alias) + 1].isalpha())
        for alias in _NUMERIC_NAMES
    )
    return starts or bool(_TRAILING_NAME_AFTER_NUMBER.search(_bound_after(folded)[1]))


def _filter_like_at(text: str, pos: int, word: str, word_end: int) -> str | None:
    """The text to name on the card when a keyword looks like a filter: `粉丝10w++`, `>=10w` (a
    comparison with no filter name), or `粉丝 10万` (a filter name, then a number with no comparison)."""
    if _looks_like_filter(word) or (
        (lead := _LEADING_OP.match(word)) and _LOOKS_NUMERIC.match(word, lead.end())
    ):
        return word
    following = text[word_end:].lstrip()
    if _alias(word) in _NUMERIC and _LOOKS_NUMERIC.match(following):
        return f"{word} {_read_word(following, 0)[0]}"
    return None


def _tokens(text: str) -> tuple[list[str], list[_Filter], list[QueryNote]]:
    keywords: list[str] = []
    filters: list[_Filter] = []
    notes: list[QueryNote] = []
    joining: set[int] = set()  # keywords that only join two filters (`粉丝>=10w 和 cpm<=60`)
    after_filter, connective = False, None  # the last token was a filter; a connective right after one
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text[pos] in _QUOTES:
            phrase, pos = _read_quoted(text, pos)
            if phrase:
                keywords.append(phrase)
                after_filter, connective = False, None
        else:
            found, end = _filter_at(text, pos)
            if found is None:
                word, word_end = _read_word(text, pos)
                found, end = _shorthand(word), word_end
                if found is None:
                    found, end = _spaced_shorthand(text, pos)
                if found is None:
                    connective = len(keywords) if after_filter and _is_connective(word) else None
                    after_filter = False
                    keywords.append(word)
                    if looks_like := _filter_like_at(text, pos, word, word_end):
                        notes.append(QueryNote(kind="keyword", token=_shown(looks_like)))
                    pos = word_end
                    continue
            pos = end
            if found.name == "keyword" and found.value.strip():
                keywords.append(found.value.strip())  # kept in place: word order matters upstream
                after_filter, connective = False, None
            else:
                filters.append(found)
                if connective is not None:
                    joining.add(connective)
                after_filter, connective = True, None
    return [k for i, k in enumerate(keywords) if i not in joining], filters, notes


def _is_connective(word: str) -> bool:
    return simplified(word).casefold() in vocab.CONNECTIVES


# -- building the query ------------------------------------------------------------------------


def _plain(v: float) -> str:
    return f"{round(v, 2):,}".removesuffix(".0")


def _shown(token: str) -> str:
    """The user's text made safe inside a backtick code span, and short."""
    return token.replace("`", "'")[:60]


def _query_error(token: str, what: Text) -> QueryError:
    return QueryError(_shown(token), what, usage=usage())


_EXACT_NOTED = frozenset({"followers", "price", "cpm", "cpe"})
_RATIO_NOTED = frozenset({"er", "completion"})


def _typed_name(f: _Filter) -> str:
    return f.typed if _alias(f.typed) else vocab.NUMERIC_ZH_NAMES[f.name]


def _note(f: _Filter, bounds: NumRange) -> QueryNote | None:
    """Say so when an exact count/money value or a rate written as a ratio may not be what was meant."""
    single = bounds.low is not None and bounds.low == bounds.high
    if f.name in _EXACT_NOTED and f.op in ("=", "==", ":") and single:
        return QueryNote(
            kind="exact", token=_shown(f.token), suggestion=f"{_typed_name(f)}>={f.value.strip()}"
        )
    ends = [v for v in (bounds.low, bounds.high) if v is not None]
    if f.name in _RATIO_NOTED and "%" not in f.value and ends and all(0 < v < 0.01 for v in ends):
        as_percent = _NUMBER.sub(lambda m: f"{_plain(float(m['num']) * 100)}%", f.value.strip())
        return QueryNote(
            kind="ratio", token=_shown(f.token), suggestion=f"{_typed_name(f)}{f.op}{as_percent}"
        )
    return None


def _apply(f: _Filter, fields: dict[str, Any], max_pages: int) -> None:
    """Validate one filter and store it in `fields` (the Query's keyword arguments)."""
    if f.name in _NUMERIC:
        bounds = _num_range(_NUMERIC[f.name], f.op, f.value)
        fields[f.name] = _intersect(fields.get(f.name), bounds)
        if note := _note(f, bounds):
            fields.setdefault("notes", []).append(note)
        return
    if f.op not in ("=", "==", ":"):
        raise _Problem(Text("this option only takes `=`."))
    value = f.value
    match f.name:
        case "gender":
            fields["gender"] = Gender(_choice(_GENDERS, value, N_("gender must be one of %(options)s.")))
        case "region":
            fields.setdefault("regions", []).extend(_place(v) for v in _items(simplified(value)))
        case "tag":
            fields.setdefault("tags", []).extend(_items(simplified(value)))
        case "duration":
            fields["duration"] = Duration(
                _choice(_DURATIONS, _video_length(value), N_("duration must be one of %(options)s."))
            )
        case "sort":
            fields["sort"] = SortKey(_choice(_SORTS, value, N_("sort must be one of %(options)s.")))
        case "goal":
            fields["goal"] = Goal(_choice(_GOALS, value, N_("goal must be one of %(options)s.")))
        case "pages":
            fields["pages"] = _int_in(
                value, 1, max_pages, N_("pages must be a whole number from %(low)s to %(high)s.")
            )
        case "top":
            fields["top"] = _int_in(
                value, 1, MAX_TOP, N_("top must be a whole number from %(low)s to %(high)s.")
            )
        case "brands":
            fields["brands"] = _choice(_BOOLS, value, N_("brands must be one of %(options)s.")) == "yes"
        case "unknowns":
            fields["unknowns"] = _choice(_BOOLS, value, N_("unknowns must be one of %(options)s.")) == "yes"
        case "lang":
            fields["lang"] = _choice(_LANGS, value, N_("lang must be one of %(options)s."))
        case "view":
            fields["view"] = _choice(_VIEWS, value, N_("view must be one of %(options)s."))
        case name if name in _AUDIENCE:
            token = f"{name}={value.replace('≥', '>=')}"
            targets = fields.get("audience", AudienceTargets())
            fields["audience"] = with_audience_token(targets, token, shown=_shown(f.token))


_SPACED_UNIT = vocab.SPACED_UNIT
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")  # zero-width spaces and joiners


def strip_invisible(text: str) -> str:
    """Without zero-width spaces and joiners, which look like nothing but make a word differ."""
    return _INVISIBLE.sub("", text)


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and symbols), no zero-width characters, units joined to their number."""
    return _join_spaced_units(strip_invisible(unicodedata.normalize("NFKC", text)))


def _join_spaced_units(text: str) -> str:
    """`10 万` as `10万`, `5000 元` as `5000元`; the unit is looked for in Simplified (`10 萬` too),
    the text kept as typed."""
    for pattern in (_SPACED_UNIT, vocab.SPACED_CURRENCY):
        for m in reversed(list(pattern.finditer(simplified(text)))):
            text = text[: m.start()] + text[m.end() :]
    return text


# A comma, semicolon or 、 right before a filter (`护肤，粉丝>=10w`): people separate terms with them.
_SEPARATORS = vocab.TERM_SEPARATORS
_BEFORE_FILTER = re.compile(
    rf"(?:\s*[{_SEPARATORS}])+\s*(?=(?P<name>[^\s=:<>≥≧≤≦{_SEPARATORS}]+)\s*(?:>=|<=|=>|=<|≥|≧|≤|≦|>|<|=))"
)


def separate_terms(text: str, known: Callable[[str], bool]) -> str:
    """`text` (normalized) with a space for each separator before a name `known` accepts and its
    operator (`护肤，粉丝>=10w`, `护肤，mix=head:1`); other commas stay (`¥5,000`,
    `region=上海,北京`, the planner's `mix=head:1-2,mid:3-5`), and so does all within quotes."""
    return "".join(
        part if part[:1] in _QUOTES else _BEFORE_FILTER.sub(lambda m: " " if known(m["name"]) else m[0], part)
        for part in _QUOTED.split(text)
    )


def _read_tokens(raw: str) -> tuple[list[str], list[_Filter], list[QueryNote]]:
    return _tokens(separate_terms(normalize_text(raw), is_filter_name))


# The Query field each filter sets, where the names differ.
_QUERY_FIELD = {"region": "regions", "tag": "tags", **dict.fromkeys(_AUDIENCE, "audience")}


def _as_typed(filters: list[_Filter], query_fields: Collection[str]) -> list[str]:
    return [_shown(f.token) for f in filters if _QUERY_FIELD.get(f.name, f.name) in query_fields]


def resorted(raw: str, sort: SortKey) -> str:
    """The search `raw` sorted by `sort` (a results card's sort menu): `sort=` appended, since the
    last one wins, in place of one an earlier re-sort appended, so the search does not grow."""
    return f"{_APPENDED_SORT.sub('', raw)} sort={sort.value}"


_APPENDED_SORT = re.compile(rf"(?:\s+sort=(?:{'|'.join(re.escape(k.value) for k in SortKey)}))+$")


def filters_as_typed(text: str, query_fields: Collection[str]) -> list[str]:
    """The filters of `text` that set any of `query_fields` (Query field names), as typed: what a
    message about them quotes (`粉丝>=10w`, not `followers`). The values are not checked."""
    return _as_typed(_read_tokens(text.strip())[1], query_fields)


def filter_words(text: str, query_fields: Collection[str]) -> list[str]:
    """The filters of `text` that set any of `query_fields`, whole, to be searched again (the
    search form's More filters box); `filters_as_typed` shortens them for quoting."""
    return [
        f.token for f in _read_tokens(text.strip())[1] if _QUERY_FIELD.get(f.name, f.name) in query_fields
    ]


def keywords_of(text: str) -> list[str]:
    """The words of `text` that are not filters (a quoted phrase is one), unchecked."""
    return _read_tokens(text.strip())[0]


def bound_after(text: str) -> tuple[str | None, str]:
    """The bound word ending a value (`10w+`, `10万及以上`, `5000以内`, Traditional too): its
    operator (`>=` or `<=`) and the value without it; (None, text) when there is none."""
    return _bound_after(text)


def bound_before(text: str) -> tuple[str | None, str]:
    """The comparison starting a value (`<=2万`, `≥3%`, `不超过3万`, `少于3万`, Traditional too): its
    operator (`>=`, `>`, `<=` or `<`) and the value without it; (None, text) when there is none."""
    value = text.strip()
    if lead := _LEADING_OP.match(value):
        return _canonical_op(lead[1]), value[lead.end() :].strip()
    op, rest = _bound_before(value)
    return op, rest.strip()


def value_problem(name: str, op: str, value: str) -> Text | None:
    """What is wrong with `value` in the numeric filter `name op value` ("expected a number…", "it
    cannot be negative."), or None: for a box that takes only the value (the search form)."""
    try:
        _num_range(_NUMERIC[name], op, value)
    except _Problem as p:
        return p.what
    return None


def filter_tokens(text: str) -> list[tuple[str, str]]:
    """(canonical name, as typed) of each filter in `text`, values unchecked. Raises `QueryError`
    where a typed search would for the words alone (`budget=5000`, an unclosed quote)."""
    return [(f.name, _shown(f.token)) for f in _read_tokens(text.strip())[1]]


def _read_line(
    text: str, *, max_pages: int, fields: dict[str, Any]
) -> tuple[str, list[str], dict[str, Any], list[_Filter]]:
    """The line's keywords, `fields` (the Query's keyword arguments) with its filters applied, and
    the filters."""
    raw = (text or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise _query_error(
            raw[:20] + "…",
            Text(
                "The search is too long (%(n)s characters): keep it under %(max)s.",
                n=len(raw),
                max=MAX_QUERY_CHARS,
            ),
        )
    keywords, filters, notes = _read_tokens(raw)
    fields["notes"] = notes
    for f in filters:
        if not f.value.strip():
            raise _query_error(
                f.token,
                Text(
                    "`%(token)s` has no value: write it like `%(token)s…`.",  # as typed: `cpm<=…`, `城市=…`
                    token=_shown(f.token.strip()),
                ),
            )
        asked = fields.get("lang")
        try:
            _apply(f, fields, max_pages)
            if asked is not None and fields.get("lang") != asked:  # `lang=en … lang=zh`
                raise _Problem(_OTHER_LANGUAGE)
        except _Problem as p:
            shown = _shown(f.token)
            raise _query_error(
                f.token, Text("Can't use `%(token)s`: %(problem)s", token=shown, problem=p.what)
            ) from None
    return raw, keywords, fields, filters


def parse_query(text: str, *, default_pages: int = 3, max_pages: int = 10, default_top: int = 10) -> Query:
    """Parse one `/kol` line; raises `QueryError` naming the bad part."""
    max_pages = max(1, max_pages)
    defaults = {"pages": max(1, min(default_pages, max_pages)), "top": max(1, min(default_top, MAX_TOP))}
    raw, keywords, fields, _ = _read_line(text, max_pages=max_pages, fields=defaults)
    if not keywords:
        raise _query_error(
            raw,
            Text(
                "A search needs at least one keyword, e.g. `%(keyword)s followers>=10w`.",
                keyword=vocab.EXAMPLE_KEYWORD,
            ),
        )
    return Query(raw=raw, keywords=[simplified(k) for k in keywords], **fields)


_OTHER_LANGUAGE = Text("another lang word asks for another language: keep one.")
_LANG_OPTION = re.compile(r"(?P<name>[^=:\s]+)[=:](?P<value>[^=:\s]*)")
_LANG_NAMES = frozenset(name.casefold() for name in ("lang", *vocab.ALIASES["lang"]))
# A word outside quotes: quoted text ("春季 lang=en 上新", a shortlist's name) is never an option.
# A quote opens a phrase only where a word or an option's value starts (`name="春季，上新"`): the
# apostrophe of `Xi'an` opens nothing.
_QUOTED = re.compile(
    rf"((?<![^\s=:])[{''.join(_QUOTES)}][^{''.join(_QUOTES.values())}]*[{''.join(_QUOTES.values())}]?)"
)
_UNQUOTED_WORD = re.compile(
    rf"[{''.join(_QUOTES)}][^{''.join(_QUOTES.values())}]*[{''.join(_QUOTES.values())}]?|\S+"
)


@dataclass(frozen=True)
class LangWords:
    """What the `lang=` words of a command line ask for (`bot.grammar.lang_words`)."""

    lang: Lang | None  # the language asked for, when every lang word agrees on one
    rest: str  # the line without its lang words
    bad: str | None = None  # a lang word as typed whose value is no language, or that contradicts another
    conflict: bool = False  # `bad` names a language, but another lang word named another


def lang_words(text: str) -> LangWords:
    """The `lang=zh` / `language=en` / `语言=中文` words of a line outside quotes: every command
    answers in the language they ask for, also those with no other options (help, shortlist, digest,
    usage), and its arguments go on without them."""
    text = text or ""
    langs: list[str] = []
    bad: str | None = None
    conflict = False
    kept: list[str] = []
    for match in _UNQUOTED_WORD.finditer(text):
        word = match.group()
        option = None if word[0] in _QUOTES else _LANG_OPTION.fullmatch(unicodedata.normalize("NFKC", word))
        if option is None or simplified(option["name"]).casefold() not in _LANG_NAMES:
            kept.append(word)
            continue
        lang = _LANGS.get(simplified(option["value"]).casefold())
        if lang is not None and (not langs or lang == langs[0]):
            langs.append(lang)
        elif bad is None:
            bad, conflict = word, lang is not None
    return LangWords(cast(Lang, langs[0]) if langs and not bad else None, " ".join(kept), bad, conflict)


def lang_problem(words: LangWords) -> QueryError:
    """The lang word that names no language, or contradicts an earlier one, named as typed."""
    bad = words.bad or ""
    problem = (
        _OTHER_LANGUAGE
        if words.conflict
        else Text("lang must be one of %(options)s.", options=_shown_choices(_LANGS))
    )
    what = Text("Can't use `%(token)s`: %(problem)s", token=_shown(bad), problem=problem)
    return QueryError(bad, what)  # no search usage: the command may be any (help, shortlist, digest…)


# Options a creator command takes; `pages=`/`top=` are read and ignored, as before they were refused.
_CREATOR_OPTIONS = frozenset({"audience", "duration", "lang", "pages", "top", "notes"})


_ID_SEPARATOR = re.compile(f"[{_SEPARATORS}]")  # ids, uids and handles hold none of these


def parse_creator_args(text: str, *, max_pages: int = 10) -> CreatorArgs:
    """`/kol show` and `/kol compare` arguments: creator ids (the words) and the search grammar's
    `duration=`, `audience_*=` and `lang=`; any other search option is a `QueryError` naming it
    as typed."""
    _, identifiers, fields, filters = _read_line(text, max_pages=max(1, max_pages), fields={})
    defaults = Query()
    extra = [
        name
        for name in Query.model_fields
        if name not in _CREATOR_OPTIONS and name in fields and fields[name] != getattr(defaults, name)
    ]
    if extra:
        names = ", ".join(_as_typed(filters, extra))
        raise QueryError(
            names,
            Text(
                "Search options do not apply here: %(names)s. Only `duration=`, `audience_…=` and "
                "`lang=` do.",
                names=names,
            ),
        )
    return CreatorArgs(
        identifiers=[part for word in identifiers for part in _ID_SEPARATOR.split(word) if part],  # a,b
        duration=fields.get("duration", Duration.MEDIUM),
        audience=fields.get("audience", AudienceTargets()),
        lang=fields.get("lang"),
    )


# -- help and descriptions ---------------------------------------------------------------------

_USAGE = N_(
    """Type keywords, then optional filters (English or Chinese names; units %(wan)s/w, k, m, %%):
• Size & cost: `followers>=10w` `followers=10w-50w` `price<=2%(wan)s` `cpm<=60` `cpe<=2`
• Shorthands: `followers 10w+` `100k+ followers` `cpm under 50` %(shorthand)s %(shorthands)s
• Quality: `er>=3%%` (`er>=3` is also 3%%) `completion>=15%%` `star>=60` `growth>0` `ecom>=L3`
• Who: `gender=female` `city=%(city)s` `tag=%(tag)s` (several values = any of them)
• Audience (screens the top 20): `audience_gender=female>=70%%` `audience_age=18-30` `audience_city_tier=1-2`
• Options: `duration=1-20|21-60|60+` `goal=awareness|seeding|conversion` `view=full` (long cards)
  `sort=score|cpm|cpe|followers|er|growth|price` `pages=3` `top=10` `brands=yes` `unknowns=yes` `lang=en`
Examples:
`%(skincare)s followers>=10w cpm<=80`
`%(makeup)s 100k+ followers cpm under 100 sort=cpm`
`"skin care" goal=conversion ecom>=L2 sort=cpe`"""
)


def usage() -> Text:
    """Short grammar help with examples (plain text with backtick code spans)."""
    return Text(_USAGE, **vocab.USAGE_EXAMPLES)


def _describe_range(name: str, r: NumRange) -> Text:
    label = FilterLabel(name)
    low = None if r.low is None else FilterValue(name, r.low)
    high = None if r.high is None else FilterValue(name, r.high)
    text: Text
    if low is not None and r.low == r.high:
        text = Text("%(label)s = %(value)s", label=label, value=low)
    elif low is not None and high is not None:
        if r.low_inclusive and r.high_inclusive:
            text = Text("%(label)s %(low)s–%(high)s", label=label, low=low, high=high)
        else:
            text = Text(
                "%(low)s %(low_op)s %(label)s %(high_op)s %(high)s",
                low=low,
                low_op="≤" if r.low_inclusive else "<",
                label=label,
                high_op="≤" if r.high_inclusive else "<",
                high=high,
            )
    elif low is not None:
        text = Text("%(label)s %(op)s %(value)s", label=label, op="≥" if r.low_inclusive else ">", value=low)
    else:
        assert high is not None
        text = Text(
            "%(label)s %(op)s %(value)s", label=label, op="≤" if r.high_inclusive else "<", value=high
        )
    if name == "cpm":
        return Text("%(price)s / 1k plays", price=text)
    if name == "cpe":
        return Text("%(price)s / engagement", price=text)
    return text


def filter_label(name: str) -> Text:
    """A filter's short name for "12 without CPM": CPM, followers, location, tags…"""
    return FilterLabel(name)


def active_filters(query: Query) -> list[tuple[str, Text]]:
    """(name, description) of each filter the query applies, in a stable order."""
    out = [(name, _describe_range(name, r)) for name in _NUMERIC if (r := getattr(query, name)) is not None]
    if query.gender is Gender.FEMALE:
        out.append(("gender", Text("female creators")))
    elif query.gender is Gender.MALE:
        out.append(("gender", Text("male creators")))
    if query.regions:
        out.append(("region", Text("region: %(regions)s", regions=Places(tuple(query.regions)))))
    if query.tags:
        out.append(("tag", Text("tag: %(tags)s", tags=" / ".join(query.tags))))
    return out


def describe_filters(query: Query) -> list[Text]:
    """The filters as understood, for the card header, ending with the video length used for prices."""
    out = [text for _, text in active_filters(query)]
    if query.brands:
        out.append(Text("brand & store accounts included"))
    if query.unknowns:
        out.append(Text("creators with unknown values included"))
    if query.audience.targets:
        targets = Joined(tuple(t.wording() for t in query.audience.targets))
        out.append(Text("audience (screened by portrait): %(targets)s", targets=targets))
    out.append(video_type_label(query.duration.video_type))
    return out
