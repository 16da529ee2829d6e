"""The one-line `/kol` search grammar: keywords plus `name op value` filters, in English or Chinese.

The README's "Query grammar" section is the user-facing description. Decisions worth knowing:

* Input is NFKC-normalised first, so full-width ＞ ＜ ＝ ： ％ and digits behave like ASCII.
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.audience import with_audience_token
from bot.errors import QueryError
from bot.i18n import Text, Untranslated
from bot.models import (
    VIDEO_TYPE_LABELS,
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
)

MAX_QUERY_CHARS = 500
MAX_TOP = 20

_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
_OP = r"(?:>=|<=|=>|=<|==|≥|≧|≤|≦|>|<|=|:)"
_FILTER = re.compile(
    rf"(?P<name>[^\s=:<>≥≧≤≦{''.join(_QUOTES)}{''.join(_QUOTES.values())}]+)(?P<sp1>\s*)(?P<op>{_OP})(?P<sp2>\s*)"
)
_LEADING_OP = re.compile(r"(>=|<=|=>|=<|≥|≧|≤|≦|>|<)")
_NAME_LIKE = re.compile(r"[A-Za-z_\u3400-\u9fff]+")
_NUMBER = re.compile(r"(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>万|w|亿|k|千|m|%)?", re.IGNORECASE)
_RANGE = re.compile(r"(?P<a>.+?)\s*(?:-|~|至|到|–|—)\s*(?P<b>.+)")
_CURRENCY = re.compile(r"^[¥$]|(?:元|yuan|rmb|cny)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_LIST_SEP = re.compile(r"[,、/|]")
_MULTIPLIERS = {"": 1.0, "万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "千": 1e3, "m": 1e6}


class _Problem(Exception):
    """A bad value; the caller adds the token to the message."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


# -- numeric values ------------------------------------------------------------------------------


def _quantity(text: str, *, units: str, example: str) -> float:
    """One number with an optional unit from `units` ("count", "percent" or "none")."""
    text = text.strip()
    if units == "count":
        text = _THOUSANDS.sub("", _CURRENCY.sub("", text).strip())
    m = _NUMBER.fullmatch(text)
    if not m:
        raise _Problem(f"expected a number such as `{example}`.", f"需要一个数字，例如 `{example}`。")
    unit = (m["unit"] or "").lower()
    allowed = {"count": set(_MULTIPLIERS), "percent": {"", "%"}, "none": {""}}[units]
    if unit not in allowed:
        raise _Problem(
            f"the unit `{unit}` does not fit here; use a value like `{example}`.",
            f"这里不能用单位 `{unit}`，请用类似 `{example}` 的取值。",
        )
    value = float(m["num"]) * _MULTIPLIERS.get(unit, 1.0)
    if not math.isfinite(value):
        raise _Problem("that number is too large.", "数字太大了。")
    return value


# No creator has more followers, and no video costs more, than this: a larger number is a typo.
_MAX_AMOUNT = 1e10  # 100亿


def _count(text: str) -> float:
    value = _quantity(text, units="count", example="10w")
    if value < 0:
        raise _Problem("it cannot be negative.", "不能为负数。")
    if value > _MAX_AMOUNT:
        raise _Problem(
            "that number is larger than any creator has (100亿 at most).",
            "数字超出任何达人的范围（最多 100亿）。",
        )
    return value


def _money(text: str) -> float:
    value = _quantity(text, units="count", example="2万")
    if value < 0:
        raise _Problem("a price cannot be negative.", "价格不能为负数。")
    if value > _MAX_AMOUNT:
        raise _Problem(
            "that amount is larger than any price (100亿 at most).", "金额超出任何报价的范围（最多 100亿）。"
        )
    return value


def _rate(text: str) -> float:
    value = _quantity(text, units="percent", example="3%")
    if not 0 <= value <= 100:
        raise _Problem("a rate must be between 0% and 100%.", "比率必须在 0% 到 100% 之间。")
    return value / 100


def _growth(text: str) -> float:
    value = _quantity(text, units="percent", example="2%")
    if value < -100:
        raise _Problem("growth cannot be below -100%.", "涨粉率不能低于 -100%。")
    return value / 100


def _index(text: str) -> float:
    value = _quantity(text, units="none", example="60")
    if not 0 <= value <= 100:
        raise _Problem("the Xingtu index runs from 0 to 100.", "星图指数在 0 到 100 之间。")
    return value


def _level(text: str) -> float:
    text = text.strip()
    digits = text[1:] if text[:1] in "Ll" else text
    if not digits.isascii() or not digits.isdigit() or int(digits) > 6:
        raise _Problem(
            "e-commerce levels are L0 to L6, e.g. `ecom>=L3`.", "带货等级为 L0 到 L6，例如 `带货等级>=L3`。"
        )
    return float(digits)


@dataclass(frozen=True)
class _Numeric:
    name: str  # Query attribute and grammar name
    en: str
    zh: str
    parse: Callable[[str], float]


_NUMERIC = {
    f.name: f
    for f in (
        _Numeric("followers", "followers", "粉丝", _count),
        _Numeric("price", "price", "报价", _money),
        _Numeric("cpm", "CPM", "CPM", _money),
        _Numeric("cpe", "CPE", "CPE", _money),
        _Numeric("er", "engagement rate", "互动率", _rate),
        _Numeric("completion", "completion rate", "完播率", _rate),
        _Numeric("star", "Xingtu index", "星图指数", _index),
        _Numeric("growth", "15-day follower growth", "15天涨粉率", _growth),
        _Numeric("ecom", "e-commerce level", "带货等级", _level),
    )
}


def _shared_unit(low: str, high: str) -> str:
    """`1-5万` means 1万-5万: a unitless lower end takes the upper end's unit."""
    a, b = _NUMBER.fullmatch(low.strip()), _NUMBER.fullmatch(high.strip())
    return low + b["unit"] if a and b and not a["unit"] and b["unit"] else low


def _num_range(spec: _Numeric, op: str, value: str) -> NumRange:
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
            raise _Problem(
                "the range is backwards; put the smaller number first.", "范围写反了，请把小的数放前面。"
            )
        return NumRange(low=low, high=high)
    v = spec.parse(value)
    if (op == "<" and v <= 0 and spec.parse is not _growth) or (op == ">" and spec.parse is _rate and v >= 1):
        raise _Problem("no creator can match that; check the number.", "没有达人能满足这个条件，请检查数字。")
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
        raise _Problem(
            "it contradicts an earlier condition on the same filter.", "与同一筛选条件的前一个要求相矛盾。"
        )
    return NumRange(low=low, high=high, low_inclusive=low_inc, high_inclusive=high_inc)


# -- options -----------------------------------------------------------------------------------


def _choices(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias.casefold(): value for value, aliases in pairs.items() for alias in (value, *aliases)}


_GENDERS = _choices(
    {
        "female": ("f", "woman", "women", "女", "女性", "女生"),
        "male": ("m", "man", "men", "男", "男性", "男生"),
    }
)
_DURATIONS = _choices(
    {
        "1-20": ("1~20", "short", "短", "短视频"),
        "21-60": ("20-60", "21~60", "medium", "mid", "中", "中视频"),
        "60+": (">60", "60以上", "long", "长", "长视频"),
    }
)
_SORTS = _choices(
    {
        "score": ("综合", "评分", "得分", "分数"),
        "cpm": (),
        "cpe": (),
        "followers": ("fans", "粉丝", "粉丝数"),
        "er": ("engagement", "互动率"),
        "growth": ("涨粉", "涨粉率"),
        "price": ("报价", "价格"),
    }
)
_GOALS = _choices(
    {
        "awareness": ("reach", "曝光", "品牌曝光"),
        "seeding": ("种草", "破圈种草"),
        "conversion": ("sales", "转化", "行动转化"),
    }
)
_BOOLS = _choices(
    {
        "yes": ("y", "true", "on", "1", "是", "要", "包含"),
        "no": ("n", "false", "off", "0", "否", "不要", "排除"),
    }
)
_LANGS = _choices({"zh": ("cn", "chinese", "中文", "中"), "en": ("english", "英文", "英")})
_VIEWS = _choices({"compact": ("short", "简洁", "精简"), "full": ("long", "detailed", "完整", "详细")})

_ALIASES: dict[str, str] = _choices(
    {
        "followers": ("follower", "fans", "粉丝", "粉丝数"),
        "price": ("报价", "价格", "刊例价"),
        "cpm": (),
        "cpe": (),
        "er": ("engagement", "互动率"),
        "completion": ("完播率", "完播"),
        "star": ("星图指数",),
        "growth": ("涨粉", "涨粉率"),
        "ecom": ("带货等级", "带货"),
        "gender": ("sex", "性别"),
        "region": ("province", "city", "地区", "省份", "城市", "地域"),
        "tag": ("tags", "标签"),
        "duration": ("时长", "视频时长"),
        "sort": ("排序",),
        "goal": ("目标", "营销目标"),
        "pages": ("page", "页数"),
        "top": ("显示", "条数"),
        "brands": ("brand", "品牌号", "品牌"),
        "unknowns": ("unknown", "未知", "含未知"),
        "lang": ("language", "语言"),
        "view": ("视图", "卡片"),
        "keyword": ("keywords", "kw", "关键词", "关键字"),
        "audience_gender": ("受众性别",),
        "audience_age": ("受众年龄",),
        "audience_city_tier": ("受众城市等级", "受众城市"),
        "screen": ("筛查", "受众筛查"),  # how many creators the audience screen checks (bot.screen)
    }
)
_AUDIENCE = ("audience_gender", "audience_age", "audience_city_tier", "screen")
_CJK_NUMERIC_ALIASES = sorted(
    (a for a, name in _ALIASES.items() if name in _NUMERIC and not a.isascii()), key=len, reverse=True
)


def _choice(table: dict[str, str], value: str, what_en: str, what_zh: str) -> str:
    try:
        return table[value.strip().casefold()]
    except KeyError:
        options = " | ".join(dict.fromkeys(table.values()))
        raise _Problem(f"{what_en} must be one of {options}.", f"{what_zh}只能是 {options}。") from None


def _int_in(value: str, low: int, high: int, what_en: str, what_zh: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise _Problem(
            f"{what_en} must be a whole number from {low} to {high}.",
            f"{what_zh}必须是 {low} 到 {high} 的整数。",
        )
    return int(text)


def _items(value: str) -> list[str]:
    items = [v.strip() for v in _LIST_SEP.split(value) if v.strip()]
    if not items:
        raise _Problem("it needs a value.", "缺少取值。")
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
            f"The quote in `{_shown(token)}` is never closed: close it or remove it.",
            f"`{_shown(token)}` 中的引号没有闭合：请补上或删除引号。",
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
    name, op = _ALIASES.get(m["name"].casefold()), m["op"]
    spaced = bool(m["sp1"] or m["sp2"])
    value_at = m.end()
    if name is None:
        if spaced or not _NAME_LIKE.fullmatch(m["name"]) or (op == ":" and text.startswith("//", value_at)):
            return None, pos
        token, _ = _read_word(text, pos)
        suggestion = difflib.get_close_matches(m["name"].casefold(), list(_ALIASES), n=1)
        name = _shown(m["name"])
        hint_en = f"Did you mean `{suggestion[0]}`?" if suggestion else "See the filters below."
        hint_zh = f"你是不是想用 `{suggestion[0]}`？" if suggestion else "请参考下面的可用条件。"
        raise _query_error(
            token,
            f"There is no filter called `{name}` (in `{_shown(token)}`). {hint_en}",
            f"没有名为 `{name}` 的筛选条件（`{_shown(token)}`）。{hint_zh}",
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
_BOUND_BEFORE = sorted(
    {
        "不低于": ">=",
        "不少于": ">=",
        "至少": ">=",
        "不超过": "<=",
        "不高于": "<=",
        "不多于": "<=",
        "最多": "<=",
        "超过": ">",
        "大于": ">",
        "高于": ">",
        "多于": ">",
        "低于": "<",
        "小于": "<",
        "少于": "<",
    }.items(),
    key=lambda kv: -len(kv[0]),
)
_BOUND_AFTER = (
    ("及以上", ">="),
    ("以上", ">="),
    ("+", ">="),
    ("起", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("内", "<="),
)
_WORD_OPS = {"over": ">", "above": ">", "under": "<", "below": "<", **dict(_BOUND_BEFORE)}
_NUMERIC_NAMES = sorted((a for a, name in _ALIASES.items() if name in _NUMERIC), key=len, reverse=True)
# Names that may follow their value (`10w粉`): the Chinese ones, plus 粉 (followers) on its own.
_TRAILING_NAMES = {**{a: _ALIASES[a] for a in _CJK_NUMERIC_ALIASES}, "粉": "followers"}
_LOOKS_NUMERIC = re.compile(r"[+-]?[\d.¥$]")


def _bound_before(text: str) -> tuple[str | None, str]:
    for word, op in _BOUND_BEFORE:
        if text.startswith(word):
            return op, text[len(word) :]
    return None, text


def _bound_after(text: str) -> tuple[str | None, str]:
    for word, op in _BOUND_AFTER:
        if text.endswith(word) and len(text) > len(word):
            return op, text[: -len(word)]
    return None, text


def _bounded(token: str, alias: str, before: str | None, after: str | None, value: str) -> _Filter | None:
    """A shorthand filter if `value` is a valid value for `alias` (one bound word at most)."""
    name = _TRAILING_NAMES.get(alias) or _ALIASES[alias]
    op = before or after or "="
    if (before and after) or not _LOOKS_NUMERIC.match(value):
        return None
    try:
        _num_range(_NUMERIC[name], op, value)
    except _Problem:
        return None
    return _Filter(token, name, op, value, alias)


def _shorthand(word: str) -> _Filter | None:
    """A one-word filter: `粉丝10w-50w`, `粉丝10w+`, `cpm低于50`, `报价5000以内`, `10w粉以上`, `1-5万粉`.

    An English name needs a Chinese comparison word (`cpm低于50`); anything else that merely
    starts with a filter name (`涨粉10万秘籍`) stays a keyword.
    """
    folded = word.casefold()
    for alias in _NUMERIC_NAMES:
        if folded.startswith(alias) and len(word) > len(alias):
            before, rest = _bound_before(word[len(alias) :])
            after, value = _bound_after(rest)
            if alias.isascii() and before is None and rest[len(value) :].isascii():
                continue
            return _bounded(word, alias, before, after, value)
    after, rest = _bound_after(word)
    for alias in sorted(_TRAILING_NAMES, key=len, reverse=True):
        if rest.endswith(alias) and len(rest) > len(alias):
            inner, value = _bound_after(rest[: -len(alias)])
            return None if inner and after else _bounded(word, alias, None, inner or after, value)
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
    names = [_ALIASES.get(w.casefold()) in _NUMERIC for w, _ in words]
    if len(words) >= 2 and names[0]:
        bound, value = _bound_after(words[1][0])
        if bound:
            return _bounded(text[pos : words[1][1]], words[0][0].casefold(), None, bound, value), words[1][1]
        if len(words) == 3 and (op := _WORD_OPS.get(words[1][0].casefold())):
            return _bounded(text[pos : words[2][1]], words[0][0].casefold(), op, None, words[2][0]), words[2][
                1
            ]
    if len(words) >= 2 and names[1]:
        bound, value = _bound_after(words[0][0])
        if bound:
            return _bounded(text[pos : words[1][1]], words[1][0].casefold(), None, bound, value), words[1][1]
    return None, pos


_TRAILING_NAME_AFTER_NUMBER = re.compile(
    rf"[\dwk万千+](?:{'|'.join(sorted(map(re.escape, _TRAILING_NAMES), key=len, reverse=True))})$"
)


def _looks_like_filter(word: str) -> bool:
    """A number next to a filter name (`粉丝10w++`, `cpm50`, `10w粉`): worth a note if it stays a keyword."""
    if not any(ch.isdigit() for ch in word):
        return False
    folded = word.casefold()
    starts = any(
        folded.startswith(alias) and not (alias.isascii() and folded[len(alias) : len(alias) + 1].isalpha())
        for alias in _NUMERIC_NAMES
    )
    return starts or bool(_TRAILING_NAME_AFTER_NUMBER.search(_bound_after(folded)[1]))


def _filter_like_at(text: str, pos: int, word: str, word_end: int) -> str | None:
    """The text to name on the card when a keyword looks like a filter: `粉丝10w++`, or `粉丝 10万`
    (a filter name, then a number with no comparison)."""
    if _looks_like_filter(word):
        return word
    following = text[word_end:].lstrip()
    if _ALIASES.get(word.casefold()) in _NUMERIC and _LOOKS_NUMERIC.match(following):
        return f"{word} {_read_word(following, 0)[0]}"
    return None


def _tokens(text: str) -> tuple[list[str], list[_Filter], list[QueryNote]]:
    keywords: list[str] = []
    filters: list[_Filter] = []
    notes: list[QueryNote] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text[pos] in _QUOTES:
            phrase, pos = _read_quoted(text, pos)
            if phrase:
                keywords.append(phrase)
        else:
            found, end = _filter_at(text, pos)
            if found is None:
                word, word_end = _read_word(text, pos)
                found, end = _shorthand(word), word_end
                if found is None:
                    found, end = _spaced_shorthand(text, pos)
                if found is None:
                    keywords.append(word)
                    if looks_like := _filter_like_at(text, pos, word, word_end):
                        notes.append(QueryNote(kind="keyword", token=_shown(looks_like)))
                    pos = word_end
                    continue
            pos = end
            if found.name == "keyword" and found.value.strip():
                keywords.append(found.value.strip())  # kept in place: word order matters upstream
            else:
                filters.append(found)
    return keywords, filters, notes


# -- building the query ------------------------------------------------------------------------


def _shown(token: str) -> str:
    """The user's text made safe inside a backtick code span, and short."""
    return token.replace("`", "'")[:60]


def _query_error(token: str, en: str, zh: str) -> QueryError:
    return QueryError(_shown(token), Untranslated(en, zh), usage=Untranslated(_USAGE_EN, _USAGE_ZH))


_EXACT_NOTED = frozenset({"followers", "price", "cpm", "cpe"})
_RATIO_NOTED = frozenset({"er", "completion"})


def _typed_name(f: _Filter) -> str:
    return f.typed if f.typed.casefold() in _ALIASES else _NUMERIC[f.name].zh


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
        raise _Problem("this option only takes `=`.", "该选项只能用 `=`。")
    value = f.value
    match f.name:
        case "gender":
            fields["gender"] = Gender(_choice(_GENDERS, value, "gender", "性别"))
        case "region":
            fields.setdefault("regions", []).extend(_items(value))
        case "tag":
            fields.setdefault("tags", []).extend(_items(value))
        case "duration":
            fields["duration"] = Duration(
                _choice(_DURATIONS, re.sub(r"(?:s|sec|秒)$", "", value.strip()), "duration", "时长")
            )
        case "sort":
            fields["sort"] = SortKey(_choice(_SORTS, value, "sort", "排序"))
        case "goal":
            fields["goal"] = Goal(_choice(_GOALS, value, "goal", "目标"))
        case "pages":
            fields["pages"] = _int_in(value, 1, max_pages, "pages", "页数")
        case "top":
            fields["top"] = _int_in(value, 1, MAX_TOP, "top", "显示条数")
        case "brands" | "unknowns":
            fields[f.name] = _choice(_BOOLS, value, f.name, "该选项") == "yes"
        case "lang":
            fields["lang"] = _choice(_LANGS, value, "lang", "语言")
        case "view":
            fields["view"] = _choice(_VIEWS, value, "view", "视图")
        case name if name in _AUDIENCE:
            token = f"{name}={value.replace('≥', '>=')}"  # a QueryError names a bad target
            fields["audience"] = with_audience_token(fields.get("audience", AudienceTargets()), token)


# A unit typed after a space (`粉丝>=10 万`, `报价<=5 千`, `20 k`) belongs to the number before it.
_SPACED_UNIT = re.compile(r"(?<=\d)\s+(?=(?:万|千|亿|[wWkK])(?:$|[\s粉以起内下上左右+,，]))")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")  # zero-width spaces and joiners


def strip_invisible(text: str) -> str:
    """Without zero-width spaces and joiners, which look like nothing but make a word differ."""
    return _INVISIBLE.sub("", text)


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and symbols), no zero-width characters, units joined to their number."""
    return _SPACED_UNIT.sub("", strip_invisible(unicodedata.normalize("NFKC", text)))


def _read_line(text: str, *, max_pages: int, fields: dict[str, Any]) -> tuple[str, list[str], dict[str, Any]]:
    """The line's keywords, and `fields` (the Query's keyword arguments) with its filters applied."""
    raw = (text or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise _query_error(
            raw[:20] + "…",
            f"The search is too long ({len(raw)} characters): keep it under {MAX_QUERY_CHARS}.",
            f"搜索内容太长（{len(raw)} 个字符）：请控制在 {MAX_QUERY_CHARS} 个字符以内。",
        )
    keywords, filters, notes = _tokens(normalize_text(raw))
    fields["notes"] = notes
    for f in filters:
        if not f.value.strip():
            raise _query_error(
                f.token,
                f"`{_shown(f.token)}` has no value: write it like `{f.name}=…`.",
                f"`{_shown(f.token)}` 缺少取值：请写成 `{f.name}=…` 的形式。",
            )
        try:
            _apply(f, fields, max_pages)
        except _Problem as p:
            shown = _shown(f.token)
            raise _query_error(
                f.token, f"Can't use `{shown}`: {p.en}", f"无法使用 `{shown}`：{p.zh}"
            ) from None
    return raw, keywords, fields


def parse_query(text: str, *, default_pages: int = 3, max_pages: int = 10, default_top: int = 10) -> Query:
    """Parse one `/kol` line; raises `QueryError` naming the bad part."""
    max_pages = max(1, max_pages)
    defaults = {"pages": max(1, min(default_pages, max_pages)), "top": max(1, min(default_top, MAX_TOP))}
    raw, keywords, fields = _read_line(text, max_pages=max_pages, fields=defaults)
    if not keywords:
        raise _query_error(
            raw,
            "A search needs at least one keyword, e.g. `护肤 followers>=10w`.",
            "搜索至少需要一个关键词，例如 `护肤 粉丝>=10w`。",
        )
    return Query(raw=raw, keywords=keywords, **fields)


# Options a creator command takes; `pages=`/`top=` are read and ignored, as before they were refused.
_CREATOR_OPTIONS = frozenset({"audience", "duration", "lang", "pages", "top", "notes"})


def parse_creator_args(text: str, *, max_pages: int = 10) -> CreatorArgs:
    """`/kol show` and `/kol compare` arguments: creator ids (the words) and the search grammar's
    `duration=`, `audience_*=` and `lang=`; any other search option is a `QueryError` naming it."""
    _, identifiers, fields = _read_line(text, max_pages=max(1, max_pages), fields={})
    defaults = Query()
    extra = [
        name
        for name in Query.model_fields
        if name not in _CREATOR_OPTIONS and name in fields and fields[name] != getattr(defaults, name)
    ]
    if extra:
        names = ", ".join(extra)
        raise QueryError(
            names,
            Text(
                (
                    "Search options do not apply here: %(names)s. Only `duration=`, `audience_…=` and "
                    "`lang=` do."
                ),
                names=names,
            ),
        )
    return CreatorArgs(
        identifiers=identifiers,
        duration=fields.get("duration", Duration.MEDIUM),
        audience=fields.get("audience", AudienceTargets()),
        lang=fields.get("lang"),
    )


# -- help and descriptions ---------------------------------------------------------------------

_USAGE_EN = """Type keywords, then optional filters (English or Chinese names; units 万/w, k, m, %):
• Size & cost: `followers>=10w` `followers=10w-50w` `price<=2万` `cpm<=60` `cpe<=2`
• Shorthands: `followers 10w+` `100k+ followers` `cpm under 50` `粉丝10w+` `10w粉以上` `1-5万粉` `报价5千以内`
• Quality: `er>=3%` (`er>=3` is also 3%) `completion>=15%` `star>=60` `growth>0` `ecom>=L3`
• Who: `gender=female` `city=上海` `tag=护肤保养` (several values = any of them)
• Audience (screens the top 20): `audience_gender=female>=70%` `audience_age=18-30` `audience_city_tier=1-2`
• Options: `duration=1-20|21-60|60+` `goal=awareness|seeding|conversion` `view=full` (long cards)
  `sort=score|cpm|cpe|followers|er|growth|price` `pages=3` `top=10` `brands=yes` `unknowns=yes` `lang=en`
Examples:
`护肤 followers>=10w cpm<=80`
`美妆 100k+ followers cpm under 100 sort=cpm`
`"skin care" goal=conversion ecom>=L2 sort=cpe`"""

_USAGE_ZH = """输入关键词，再加可选的筛选条件（中英文名称均可；单位 万/w、k、m、%）：
• 体量与成本：`粉丝>=10w` `粉丝10w-50w` `报价<=2万` `cpm<=60` `cpe<=2`
• 简写：`粉丝10w+` `粉丝10万以上` `10w粉以上` `1-5万粉` `报价5千以内` `cpm低于50` `互动率3%以上`
• 质量：`互动率>=3%`（`互动率>=3` 也表示 3%） `完播率>=15%` `星图指数>=60` `涨粉>0` `带货等级>=L3`
• 达人：`性别=女` `地区=上海` `标签=护肤保养`（多个取值表示满足其一即可）
• 受众（按画像筛查前 20 位）：`受众性别=女>=70%` `受众年龄=18-30` `受众城市=二线`
• 选项：`时长=1-20|21-60|60+` `目标=曝光|种草|转化` `排序=综合|cpm|cpe|粉丝|互动率|涨粉|报价`
  `页数=3` `top=10` `品牌号=是` `未知=是` `lang=zh` `视图=完整`（完整卡片）
示例：
`护肤 粉丝>=10w cpm<=80`
`美妆 10w粉以上 cpm低于80`
`"美妆" 目标=转化 带货等级>=L2 排序=cpe`"""


def usage(lang: Lang) -> str:
    """Short grammar help with examples (plain text with backtick code spans)."""
    return _USAGE_ZH if lang == "zh" else _USAGE_EN


def _plain(v: float) -> str:
    return f"{round(v, 2):,}".removesuffix(".0")


def _value_text(name: str, v: float, lang: Lang) -> str:
    zh = lang == "zh"
    if name in ("followers", "price", "cpm", "cpe"):
        prefix = "" if name == "followers" else "¥"
        if zh and v >= 1e8:
            return f"{prefix}{_plain(v / 1e8)}亿"
        if zh and v >= 1e4:
            return f"{prefix}{_plain(v / 1e4)}万"
        return prefix + _plain(v)
    if name in ("er", "completion", "growth"):
        return f"{_plain(v * 100)}%"
    if name == "ecom":
        return f"L{v:.0f}"
    return _plain(v)


_UNIT_SUFFIX = {"cpm": (" / 1k plays", "/千次播放"), "cpe": (" / engagement", "/次互动")}


def _describe_range(name: str, r: NumRange, lang: Lang) -> str:
    spec = _NUMERIC[name]
    label = spec.zh if lang == "zh" else spec.en
    low = None if r.low is None else _value_text(name, r.low, lang)
    high = None if r.high is None else _value_text(name, r.high, lang)
    if low is not None and low == high:
        text = f"{label} = {low}"
    elif low is not None and high is not None:
        if r.low_inclusive and r.high_inclusive:
            text = f"{label} {low}–{high}"
        else:
            text = (
                f"{low} {'≤' if r.low_inclusive else '<'} {label} {'≤' if r.high_inclusive else '<'} {high}"
            )
    elif low is not None:
        text = f"{label} {'≥' if r.low_inclusive else '>'} {low}"
    else:
        text = f"{label} {'≤' if r.high_inclusive else '<'} {high}"
    suffix = _UNIT_SUFFIX.get(name)
    return text + (suffix[1] if lang == "zh" else suffix[0]) if suffix else text


_OPTION_LABELS = {"gender": ("gender", "性别"), "region": ("location", "地区"), "tag": ("tags", "标签")}


def filter_label(name: str, lang: Lang) -> str:
    """A filter's short name for "12 without CPM": CPM, 粉丝, location, 标签…"""
    spec = _NUMERIC.get(name)
    en, zh = (spec.en, spec.zh) if spec else _OPTION_LABELS.get(name, (name, name))
    return zh if lang == "zh" else en


def active_filters(query: Query, lang: Lang) -> list[tuple[str, str]]:
    """(name, human-readable description) of each filter the query applies, in a stable order."""
    zh = lang == "zh"
    out = [
        (name, _describe_range(name, r, lang)) for name in _NUMERIC if (r := getattr(query, name)) is not None
    ]
    if query.gender in (Gender.FEMALE, Gender.MALE):
        female = query.gender is Gender.FEMALE
        out.append(
            ("gender", ("女性达人" if female else "男性达人") if zh else f"{query.gender.value} creators")
        )
    if query.regions:
        out.append(("region", ("地区：" if zh else "region: ") + " / ".join(query.regions)))
    if query.tags:
        out.append(("tag", ("标签：" if zh else "tag: ") + " / ".join(query.tags)))
    return out


def describe_filters(query: Query, lang: Lang) -> list[str]:
    """The filters as understood, for the card header, ending with the video length used for prices."""
    zh = lang == "zh"
    out = [text for _, text in active_filters(query, lang)]
    if query.brands:
        out.append("含品牌/店铺账号" if zh else "brand & store accounts included")
    if query.unknowns:
        out.append("含数据未知的达人" if zh else "creators with unknown values included")
    if targets := ("、" if zh else ", ").join(t.describe(lang) for t in query.audience.targets):
        out.append(f"受众（按画像筛查）：{targets}" if zh else f"audience (screened by portrait): {targets}")
    en_label, zh_label = VIDEO_TYPE_LABELS[query.duration.video_type]
    out.append(zh_label if zh else en_label)
    return out
