"""The search form (`/kol` with no text, the "Find creators / 找达人" shortcut) as a one-line query.

The form is only another way to type a query: `form_query` writes the fields as the grammar's
canonical text (`护肤 followers=10w-50w duration=21-60 price<=2万 cpm<=60 goal=conversion`) and
parses it with the same `parse_query` as typed searches, so both run the same search and the card
can show the line to type next time. Each field is checked on its own first, so a bad value is
reported under its field (`FormErrors.errors`, keyed by the field's block id), quoting what was
typed there: a box is read like the grammar reads a value (NFKC first, so `３％` is `3%`; a bound
word that fits the box, `10万及以上` or `5000以内`, is dropped), and the Keyword box is read by the
grammar too, so a filter typed there (`护肤 粉丝>=10w`) is refused with the box it belongs in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from bot import vocabulary as vocab
from bot.chinese import first_chinese
from bot.errors import KolbotError, QueryError
from bot.formatting import Joined
from bot.grammar import bound_after, bound_before, filter_tokens, keywords_of, normalize_text, value_problem
from bot.i18n import N_, Text
from bot.models import Duration, Gender, Goal, Lang, Query, SortKey
from bot.xingtu_tags import LEVEL_ONE, LEVEL_TWO

# Xingtu's follower brackets: (value, label, grammar filter).
# The labels are numbers in 万 (10⁴), as Xingtu writes them, with the same in K and M for English readers.
_W = vocab.WAN
FOLLOWER_BRACKETS: tuple[tuple[str, str, str], ...] = (
    ("lt1w", f"< 1{_W} · < 10K", "followers<1w"),
    ("1w-10w", f"1{_W}–10{_W} · 10K–100K", "followers=1w-10w"),
    ("10w-50w", f"10{_W}–50{_W} · 100K–500K", "followers=10w-50w"),
    ("50w-100w", f"50{_W}–100{_W} · 500K–1M", "followers=50w-100w"),
    ("100w-500w", f"100{_W}–500{_W} · 1M–5M", "followers=100w-500w"),
    ("500w-1000w", f"500{_W}–1000{_W} · 5M–10M", "followers=500w-1000w"),
    ("1000w+", f"≥ 1000{_W} · ≥ 10M", "followers>=1000w"),
)
MAX_TAGS = 10  # the tag menu's max_selected_items
_BRACKET_FILTER = {value: text for value, _, text in FOLLOWER_BRACKETS}
_SIDE = {"<": "<=", "<=": "<=", ">": ">=", ">=": ">="}  # which side of a value a bound keeps
# Number fields: block id -> (the filter they become, its operator, an example value).
_LIMITS = {
    "max_price": ("price", "<=", f"5000 / 2{_W}"),
    "max_cpm": ("cpm", "<=", "60"),
    "max_cpe": ("cpe", "<=", "2"),
    "min_er": ("er", ">=", "3%"),
}
_PERCENT = frozenset({"er"})  # boxes in percent: `3` is written out as `er>=3%`, as the README teaches
_PROBE = "kw"  # a stand-in keyword for checking one filter on its own
_NOT_A_VALUE = vocab.NOT_A_VALUE
# Where a filter typed in the Keyword box belongs: the box's name (filters without one: type it after /kol).
_BOXES = {
    "followers": N_("the Followers box"),
    "price": N_("the Max price box"),
    "cpm": N_("the Max CPM box"),
    "cpe": N_("the Max CPE box"),
    "er": N_("the Min engagement rate box"),
    "duration": N_("the Video length box"),
    "goal": N_("the Goal box"),
    "sort": N_("the Sort by box"),
    "tag": N_("the Xingtu tags box"),
    "region": N_("the Region box"),
    "gender": N_("the Creator gender box"),
}
_MORE_BOX = N_("the More filters box")


def tag_groups() -> list[tuple[str, list[str]]]:
    """The Xingtu tag table for a multi-select: each level-1 tag with its level-2 tags, names unique."""
    seen: set[str] = set()
    groups = []
    for level1, name in LEVEL_ONE.items():
        names = [n for n in (name, *LEVEL_TWO.get(level1, {}).values()) if n not in seen]
        seen.update(names)
        groups.append((name, names))
    return groups


@dataclass(frozen=True)
class SearchForm:
    """What the modal's fields hold (empty string / list = left blank)."""

    keyword: str = ""
    followers: str = ""  # a `FOLLOWER_BRACKETS` value
    followers_custom: str = ""  # "20w-80w", "30w+" or "30w" (at least)
    duration: str = ""
    max_price: str = ""
    max_cpm: str = ""
    max_cpe: str = ""
    min_er: str = ""
    goal: str = ""
    tags: Sequence[str] = field(default_factory=tuple)
    region: str = ""
    gender: str = ""
    sort: str = ""
    more: str = ""  # filters no box holds, as typed in a search (`star>=60 pages=5`)


class FormErrors(Exception):
    """Bad fields: block id -> the problem, shown under the field."""

    def __init__(self, errors: dict[str, KolbotError]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors

    def messages(self) -> dict[str, Text]:
        """What to show under each field: the problem only (a grammar error's usage is too long)."""
        return {block: err.what for block, err in self.errors.items()}


def _error(what: Text) -> KolbotError:
    return KolbotError(what)


def _value(text: str, example: str) -> str:
    """One value as typed; refused when it holds spaces, quotes or operators (another filter)."""
    value = text.strip()
    if _NOT_A_VALUE.search(value):
        raise _error(Text("Type just one value here, e.g. %(example)s.", example=example))
    return value


def _shown(typed: str) -> str:
    """What was typed in a box, safe inside a backtick code span, and short."""
    return typed.strip().replace("`", "'")[:60]


def _filters_in(text: str) -> list[tuple[str, str]]:
    """The filters the grammar finds in the Keyword box: (name, as typed). A quote that is never
    closed is no filter (the box's quotes only keep a phrase together); a word that looks like a
    filter with no such name (`budget=5000`) is refused as a typed search refuses it."""
    try:
        found = filter_tokens(text)
    except QueryError as err:
        if err.token[:1] in vocab.QUOTES:
            return []
        raise
    return [(name, token) for name, token in found if name != "keyword"]


def _keyword(text: str) -> str:
    if found := _filters_in(text):
        moves = tuple(
            Text("`%(token)s` → %(box)s", token=token, box=Text(_BOXES.get(name, _MORE_BOX)))
            for name, token in found
        )
        raise _error(Text("Filters go in their own boxes, not in Keyword: %(moves)s.", moves=Joined(moves)))
    words = text.replace('"', " ").replace("“", " ").replace("”", " ").split()
    if not words:
        raise _error(Text("Type a keyword, e.g. %(keyword)s or skincare.", keyword=vocab.EXAMPLE_KEYWORD))
    phrase = " ".join(words)
    quoted = len(words) > 1 or any(q in text for q in '"“”')  # a quoted word stays one keyword
    return f'"{phrase}"' if quoted else phrase


def _number(typed: str, name: str, op: str, example: str, *, read: str | None = None) -> str:
    """The value typed in a number box, read as the grammar reads it (NFKC: `３％` is `3%`) without
    a bound word that fits `op` (`10万及以上`, `5000以内`); refused, quoting `typed`, when it is not
    one valid value for `name op …`. `read`: the value already normalised, if the caller did."""
    value = normalize_text(typed).strip() if read is None else read
    bound, rest = bound_before(value)  # `≤2万`, `不超过3万`, `<2万` (the box's own bound)
    if bound is None:
        bound, rest = bound_after(value)  # `2万以内`
    side = _SIDE.get(bound or "")  # a box is one side: `<2万` in Max price
    if side is not None and side == _SIDE.get(op):
        value = rest.strip()
    elif side == ">=":
        raise _error(
            Text(
                "`%(token)s` means at least, but this box is a maximum: "
                "enter only a number, e.g. %(example)s.",
                token=_shown(typed),
                example=example,
            )
        )
    elif side == "<=":
        raise _error(
            Text(
                "`%(token)s` means at most, but this box is a minimum: "
                "enter only a number, e.g. %(example)s.",
                token=_shown(typed),
                example=example,
            )
        )
    value = _value(value, example)
    if problem := value_problem(name, op, value):
        lead = vocab.NUMBER.match(value)
        if lead and not vocab.RANGE.fullmatch(value) and value_problem(name, op, lead[0]) is None:
            problem = Text("enter only a number here, e.g. %(example)s.", example=example)  # `10万左右`
        raise _error(Text("Can't use `%(token)s`: %(problem)s", token=_shown(typed), problem=problem))
    return value


def _followers(form: SearchForm) -> str | None:
    custom = normalize_text(form.followers_custom).strip().replace(" ", "")
    if custom and form.followers:
        raise _error(Text("Choose a bracket or type a range, not both."))
    if form.followers:
        return _BRACKET_FILTER.get(form.followers)
    if not custom:
        return None
    bound = bound_before(custom)[0] or bound_after(custom)[0]
    if bound in ("<", "<="):  # `50w以下`, `≤50w`, `不超过50w`: at most; `<50w`, `少于50w`: under
        op = bound
    elif bound is None and re.search(vocab.RANGE_DASH, custom[1:]):
        op = "="
    else:  # `30w+`, `30万及以上`, or one number: at least
        op = ">="
    return f"followers{op}{_number(form.followers_custom, 'followers', op, '20w-80w / 30w+', read=custom)}"


def _limit(typed: str, name: str, op: str, example: str, parse: Callable[[str], Query]) -> str | None:
    """`cpm<=60`; `er>=3%` (a percentage box gets its % written out, as the README teaches)."""
    if not typed.strip():
        return None
    value = _number(typed, name, op, example)
    if name in _PERCENT and not value.endswith("%"):
        # `0.03` is 0.03 %, as in a typed search, where the card asks "did you mean 3%?": ask here.
        ratio = [n for n in parse(f"{_PROBE} {name}{op}{value}").notes if n.kind == "ratio"]
        if ratio:
            suggestion = ratio[0].suggestion.removeprefix(f"{name}{op}")
            raise _error(
                Text(
                    "`%(token)s` here means %(value)s%%, below 1%%: did you mean %(suggestion)s? "
                    "Type %(suggestion)s, or %(value)s%% if you meant it.",
                    token=_shown(typed),
                    value=value,
                    suggestion=suggestion,
                )
            )
        value += "%"
    return f"{name}{op}{value}"


def _region(text: str) -> str | None:
    """Places separated by commas or spaces (`广东省 深圳市`, `上海 杭州`), as the cards write them in
    either language (`Shaanxi Xi'an`, `Inner Mongolia 呼和浩特`): an English name may hold a space or
    an apostrophe, and its words are read together."""
    places: list[str] = []
    for part in (p.strip() for p in vocab.PLACE_SEP.split(text)):
        words = _PLACE_WORD.findall(part)  # `Guangdong深圳`: an English name stuck to a Chinese one
        if len(words) > 1 and any(_TYPO_WORD.fullmatch(w) for w in words):
            # `北京 上 海`: a place split by a typo, or a stray mark; a lone 海 would match 海南 and 珠海
            raise _place_error(part)
        while words:
            taken, place = _place_at(words)
            places.append(place)
            words = words[taken:]
    return "city=" + ",".join(places) if places else None


def _place_at(words: list[str]) -> tuple[int, str]:
    """The place the first words name, and how many words it took: the longest run that is an
    English name kolbot knows; a run of Latin words it does not know, whole (the grammar then names
    it); else the one word, as typed."""
    for end in range(len(words), 0, -1):
        found = vocab.PLACES_FROM_EN.get(vocab.place_key(" ".join(words[:end])))
        if found is not None:
            return end, found
    latin = next((i for i, w in enumerate(words) if not _LATIN_WORD.fullmatch(w)), len(words))
    if latin:
        return latin, "".join(words[:latin])
    if vocab.NOT_A_VALUE.search(words[0]) or _PUNCTUATION.fullmatch(words[0]):  # `=`, `>`, `-`: no place
        raise _place_error(words[0])
    return 1, words[0]


def _place_error(typed: str) -> KolbotError:
    return _error(
        Text(
            "“%(typed)s” is not a place: write each place whole, separated by commas or spaces, "
            "e.g. %(example)s.",
            typed=_shown(typed),
            example=vocab.EXAMPLE_PLACES,
        )
    )


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
_PLACE_WORD = re.compile(rf"{_LATIN_WORD.pattern}|[^\sA-Za-z]+")
_PUNCTUATION = re.compile(r"[\W_]+")
_TYPO_WORD = re.compile(r"[^\x00-\x7f]|[\W_]+")  # one non-ASCII character, or only punctuation


def _more(text: str) -> str | None:
    """The More filters box: filters only, as a search reads them (a keyword goes in Keyword)."""
    if not text.strip():
        return None
    if words := keywords_of(text):
        raise _error(
            Text(
                "Only filters go here, like `star>=60 pages=5`: `%(word)s` is a keyword, "
                "so type it in Keyword.",
                word=_shown(words[0]),
            )
        )
    return normalize_text(text).strip()


def _choice(value: str, allowed: type[Duration] | type[Goal] | type[SortKey] | type[Gender]) -> str | None:
    return value if value in {m.value for m in allowed} else None


def _fragments(
    form: SearchForm, parse: Callable[[str], Query]
) -> tuple[dict[str, str | None], dict[str, KolbotError]]:
    """Each field as grammar text (None when blank), and the fields that could not be written."""
    out: dict[str, str | None] = {}
    errors: dict[str, KolbotError] = {}

    def put(block: str, make: Callable[[], str | None]) -> None:
        try:
            out[block] = make()
        except KolbotError as err:
            errors[block] = err

    put("keyword", lambda: _keyword(form.keyword))
    put("followers_custom", lambda: _followers(form))
    duration = _choice(form.duration, Duration)
    priced = any(getattr(form, block).strip() for block in ("max_price", "max_cpm", "max_cpe"))
    out["duration"] = f"duration={duration}" if duration and (priced or duration != Duration.MEDIUM) else None
    for block, (name, op, example) in _LIMITS.items():
        put(block, partial(_limit, getattr(form, block), name, op, example, parse))
    known_tags = {n for _, names in tag_groups() for n in names}
    tags = [t for t in form.tags if t in known_tags]
    out["tags"] = "tag=" + ",".join(tags) if tags else None
    put("region", lambda: _region(form.region))
    gender = _choice(form.gender, Gender)
    out["gender"] = f"gender={gender}" if gender and gender != Gender.UNKNOWN else None
    goal = _choice(form.goal, Goal)
    out["goal"] = f"goal={goal}" if goal and goal != Goal.SEEDING else None
    sort = _choice(form.sort, SortKey)
    put("more", lambda: _more(form.more))
    out["sort"] = f"sort={sort}" if sort and sort != SortKey.SCORE else None
    return out, errors


@dataclass(frozen=True)
class FormQuery:
    text: str  # the one-line query, as a user would type it after the command
    query: Query


_FRAGMENT = re.compile(r"(?P<name>[a-z_]+)(?P<op>[<>]=?|=)(?P<value>.*)")
_VALUE_WORDS = {"gender": vocab.GENDERS, "goal": vocab.GOALS, "sort": vocab.SORTS}


def _in_chinese(fragment: str) -> str:
    """A box's filter as a Chinese card teaches it (`粉丝>=10w`, `目标=转化`, `地区=上海`): the
    grammar reads both, and the line under the card is the one a Chinese user types next time."""
    part = _FRAGMENT.fullmatch(fragment)
    if part is None:
        return fragment
    name = "region" if part["name"] == "city" else part["name"]
    words = _VALUE_WORDS.get(name, {}).get(part["value"], ())
    value = first_chinese(words) or part["value"]
    return f"{first_chinese(vocab.ALIASES.get(name, ())) or part['name']}{part['op']}{value}"


def form_query(form: SearchForm, parse: Callable[[str], Query], lang: Lang = "en") -> FormQuery:
    """The form as a one-line query, parsed, with the filter names of `lang`; `FormErrors` names
    every bad field."""
    fragments, errors = _fragments(form, parse)
    if lang == "zh":
        fragments = {
            block: _in_chinese(f) if f and block not in ("keyword", "more") else f
            for block, f in fragments.items()
        }
    for block, fragment in fragments.items():
        if fragment is None or block in errors:
            continue
        try:
            parse(fragment if block == "keyword" else f"{_PROBE} {fragment}")
        except QueryError as err:
            errors[block] = err
    text = " ".join(f for f in fragments.values() if f)
    if not errors:
        try:
            return FormQuery(text, parse(text))
        except QueryError as err:
            errors["keyword"] = err  # the line as a whole is refused (e.g. too long)
    raise FormErrors(errors)
