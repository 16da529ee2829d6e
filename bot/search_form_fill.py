"""The search form filled in with a search (a results card's *Edit search*).

Each filter goes in its box where the box can hold it exactly (`cpm<=60` in Max CPM, `粉丝>=10w`
as `10w+` in the custom range); a filter no box holds (`star>=60`, `price>=1000`, `pages=5`,
`audience_…`) goes in More filters as it was typed. Submitting the form unchanged runs the same
search: `form_query(filled_form(q)).query` filters, sorts and pages as `q` does (the tests check it).
"""

from __future__ import annotations

from functools import lru_cache

from bot.errors import QueryError
from bot.grammar import filter_tokens, filter_words, parse_query
from bot.models import Gender, NumRange, Query
from bot.search_form import FOLLOWER_BRACKETS, MAX_TAGS, SearchForm, tag_groups

# Query fields a box of the form holds (when the value fits it); every other field set by a filter
# goes to More filters. `raw`, `notes` and `start_page` are never typed.
_MAX_BOXES = {"price": "max_price", "cpm": "max_cpm", "cpe": "max_cpe"}
_NOT_TYPED = frozenset({"raw", "notes", "start_page", "keywords"})
_ALWAYS_BOXED = frozenset({"duration", "goal", "sort", "gender", "regions"})


@lru_cache(maxsize=1)
def _brackets() -> dict[NumRange | None, str]:
    """Each follower bracket's range, and the select value it has."""
    return {parse_query(f"kw {text}").followers: value for value, _, text in FOLLOWER_BRACKETS}


def _number(value: float) -> str:
    """In full to 12 significant digits, which undoes float rounding (`4.1m` is 4100000, not
    4099999.9999999995) and, below 10¹², never writes an exponent (`4.1e+06` reads as no number)."""
    return f"{value:.12g}"


def _counts(*values: float) -> list[str]:
    """Followers as the boxes show them: in w (万) when all are whole w, else all in full (the
    grammar reads `10-50w` as 10w–50w, so a range keeps one unit)."""
    rounded = [float(_number(v)) for v in values]
    if all(v and v % 10_000 == 0 for v in rounded):
        return [f"{int(v // 10_000)}w" for v in rounded]
    return [_number(v) for v in rounded]


def _inclusive(bounds: NumRange) -> bool:
    return bounds.low_inclusive and bounds.high_inclusive


def _followers(bounds: NumRange | None) -> tuple[str, str] | None:
    """(bracket, custom range) for the followers filter, or None when neither box holds it."""
    if bounds is None:
        return "", ""
    if bracket := _brackets().get(bounds):
        return bracket, ""
    if not _inclusive(bounds):
        return None
    low, high = bounds.low, bounds.high
    if low is not None and high is not None:
        return "", "-".join(_counts(low, high))
    return (
        "",
        f"{_counts(low)[0]}+" if low is not None else f"≤{_counts(high if high is not None else 0.0)[0]}",
    )


def _at_most(bounds: NumRange | None) -> str | None:
    """A maximum box's text ("" when unset), or None when the filter is not just a maximum."""
    if bounds is None:
        return ""
    if bounds.low is None and bounds.high is not None and bounds.high_inclusive:
        return _number(bounds.high)
    return None


def _at_least_percent(bounds: NumRange | None) -> str | None:
    """The Min engagement rate box's text, in percent ("" when unset), or None when it cannot hold it."""
    if bounds is None:
        return ""
    if bounds.high is None and bounds.low is not None and bounds.low_inclusive:
        return f"{_number(bounds.low * 100)}%"
    return None


def _tags(tags: list[str]) -> tuple[str, ...] | None:
    """The tags for the tag menu, or None when any is not one of its options or there are more
    than it takes."""
    known = {name for _, names in tag_groups() for name in names}
    unique = tuple(dict.fromkeys(tags))  # `tag=美妆 tag=美妆`: one menu option, once
    return unique if len(unique) <= MAX_TAGS and all(t in known for t in unique) else None


def _keyword(word: str) -> str:
    """A keyword as the Keyword box must hold it to read it back as a keyword: quoted when it looks
    like a filter (`"美妆:口红"`, `"粉丝10w+"`)."""
    try:
        looks_like_filter = bool(filter_tokens(word))
    except QueryError:
        looks_like_filter = True
    return f'"{word}"' if looks_like_filter else word


def filled_form(query: Query) -> SearchForm:
    """The form as `query` fills it: boxes where they fit, the other filters in More filters."""
    followers = _followers(query.followers)
    limits = {box: _at_most(getattr(query, name)) for name, box in _MAX_BOXES.items()}
    min_er = _at_least_percent(query.er)
    tags = _tags(query.tags)
    boxed = {name for name, box in _MAX_BOXES.items() if limits[box] is not None} | _ALWAYS_BOXED
    boxed |= {
        name
        for name, value in (("followers", followers), ("er", min_er), ("tags", tags))
        if value is not None
    }
    more = filter_words(query.raw, set(Query.model_fields) - boxed - _NOT_TYPED)
    bracket, custom = followers or ("", "")
    return SearchForm(
        keyword=" ".join(map(_keyword, query.keywords)),
        followers=bracket,
        followers_custom=custom,
        duration=query.duration.value,
        max_price=limits["max_price"] or "",
        max_cpm=limits["max_cpm"] or "",
        max_cpe=limits["max_cpe"] or "",
        min_er=min_er or "",
        goal=query.goal.value,
        tags=tags or (),
        region=", ".join(query.regions),
        gender=query.gender.value if query.gender and query.gender != Gender.UNKNOWN else "",
        sort=query.sort.value,
        more=" ".join(more),
    )
