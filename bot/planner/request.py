"""Reading `/kol plan …`: the budget, the planner's options, and the search (if any) to plan over.

    /kol plan ¥200000 [goal=…] [duration=…] [mix=head:1-2,mid:3-5,tail:5-10] [max_share=40%]
                      [must=<id>,…] [exclude=<id>,…] [one_per_mcn=yes] [shortlist=<name|id>]
                      [<keyword> <search filters>…]

The budget is the first word (`¥200000`, `20万`, `200k`) or `budget=`. `goal=`, `duration=` and
`lang=` are read by the search grammar, so their spellings are the search's; words left over
make it a search plan (`护肤 followers>=10w`), else the shortlist's creators are the candidates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.chinese import simplified
from bot.chinese_numerals import arabic_counts
from bot.errors import KolbotError, QueryError
from bot.formatting import yuan
from bot.grammar import filters_as_typed, is_filter_name, normalize_text, separate_terms
from bot.i18n import Text
from bot.models import Duration, Goal, Query
from bot.planner import vocabulary
from bot.planner.models import OUTLIER_FACTOR, PlanRequest, Tier, TierRange
from bot.shortlists.inputs import parse_budget, words
from bot.vocabulary import TERM_SEPARATORS

PLACEHOLDER = "_"  # the grammar wants a keyword; options alone parse after this one
_SEARCH_ONLY_FIELDS = {
    "raw",
    "keywords",
    "top",
    "pages",
    "goal",
    "duration",
    "lang",
    "notes",
}  # notes: grammar hints


_PLAN_SHOWN_FIELDS = {"goal", "duration", "lang"}
_CARD_ONLY_FIELDS = {"sort", "top", "view"}  # a results card's, meaningless to a plan


@dataclass(frozen=True)
class PlanCommand:
    """A parsed `/kol plan` line. `query.keywords` is empty for a shortlist plan."""

    budget_yuan: float
    query: Query
    search_text: str  # what to search (empty for a shortlist plan)
    mix: dict[Tier, TierRange] = field(default_factory=dict)
    max_share: float | None = None
    must: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    one_per_mcn: bool = False
    shortlist: str | None = None

    @property
    def is_search(self) -> bool:
        return bool(self.search_text)

    def request(
        self,
        default_duration: Duration,
        default_goal: Goal = Goal.SEEDING,
        *,
        outlier_factor: float = OUTLIER_FACTOR,
    ) -> PlanRequest:
        given = self.query.model_fields_set
        return PlanRequest(
            budget_yuan=self.budget_yuan,
            goal=self.query.goal if "goal" in given else default_goal,
            duration=self.query.duration if "duration" in given else default_duration,
            mix=self.mix,
            max_share=self.max_share,
            must=self.must,
            exclude=self.exclude,
            one_per_mcn=self.one_per_mcn,
            outlier_factor=outlier_factor,
        )


def usage() -> Text:
    return Text(
        "Usage: `%(command)s plan ¥200000 [goal=…] [duration=…] [mix=head:1-2,mid:3-5,tail:5-10] "
        "[max_share=40%%] [must=<id>,…] [exclude=<id>,…] [one_per_mcn=yes]` plans over a shortlist; "
        "add a search (`%(command)s plan 200k %(keyword)s followers>=10w`) to plan over its results.",
        keyword=vocabulary.EXAMPLE_KEYWORD,
    )


def _error(token: str, what: Text) -> QueryError:
    return QueryError(token[:60], what, usage=usage())


def _with_plan_usage(parse_query: Callable[[str], Query], text: str) -> Query:
    """The search part of a plan; its refusal shows the plan's usage, not the search help."""
    try:
        return parse_query(text)
    except QueryError as err:
        raise QueryError(err.token, err.what, usage=usage()) from None


def parse_plan(text: str, parse_query: Callable[[str], Query], *, of_card: bool = False) -> PlanCommand:
    """Raises `QueryError` naming the bad part. `of_card`: the search is a results card's (its
    **Plan budget** button), whose `sort=`/`top=`/`view=` are left out rather than refused."""
    options, rest = _read_words(text)
    budget_text = _take_budget(options.get("budget"), rest)
    budget = parse_plan_budget(budget_text)
    query = _with_plan_usage(parse_query, " ".join([PLACEHOLDER, *rest]))
    search_text = " ".join(rest) if len(query.keywords) > 1 else ""
    idle = filters_as_typed(" ".join(rest), _CARD_ONLY_FIELDS & query.model_fields_set)
    if idle and not of_card:
        raise _error(
            idle[0],
            Text(
                "`%(option)s` orders or sizes a results card; a plan weighs every creator the search "
                "matches, so leave it out.",
                option=idle[0],
            ),
        )
    if search_text:
        query = _with_plan_usage(parse_query, search_text)
        # the card shows goal, video length and language on lines of their own: the search line
        # keeps what was searched
        shown_apart = {*filters_as_typed(search_text, _PLAN_SHOWN_FIELDS), *idle}
        search_text = " ".join(w for w in rest if w not in shown_apart)
    else:
        extra = filters_as_typed(" ".join(rest), query.model_fields_set - _SEARCH_ONLY_FIELDS)
        if extra:
            raise _error(
                extra[0],
                Text("`%(field)s` is a search filter, but no keyword was given to search.", field=extra[0]),
            )
    must = parse_ids(options.get("must", ""), "must")
    exclude = parse_ids(options.get("exclude", ""), "exclude")
    both = [i for i in must if i in exclude]
    if both:
        raise _error(both[0], Text("%(id)s is in both must and exclude.", id=both[0]))
    return PlanCommand(
        budget_yuan=budget,
        query=query,
        search_text=search_text,
        mix=parse_mix(options["mix"]) if "mix" in options else {},
        max_share=parse_share(options["max_share"]) if "max_share" in options else None,
        must=must,
        exclude=exclude,
        one_per_mcn=parse_yes_no(options.get("one_per_mcn", "no")),
        shortlist=options.get("shortlist") or None,
    )


MIN_BUDGET_YUAN, MAX_BUDGET_YUAN = 1.0, 1e9
MAX_REF_CHARS = 64  # a star id, or a nickname as typed


def parse_plan_budget(text: str | None) -> float:
    """A positive budget in yuan: `¥200000`, `20万`, `200k`."""
    if not text:
        raise _error("plan", Text("A plan needs a budget."))
    try:
        budget = parse_budget(text, most=math.inf)  # the range below says what a plan can use
    except KolbotError:
        budget = None
    if not budget:
        raise _error(
            text,
            Text(
                "“%(text)s” is not a budget; give it first, in yuan, e.g. ¥200000, %(wan)s or 200k.",
                text=text,
                wan=vocabulary.WAN_BUDGET,
            ),
        )
    if not MIN_BUDGET_YUAN <= budget <= MAX_BUDGET_YUAN:
        raise _error(
            text,
            Text(
                "“%(text)s” is outside what a plan can use: from ¥1 to %(most)s (1,000,000,000).",
                text=text,
                most=yuan(MAX_BUDGET_YUAN, "zh"),  # ¥10亿 in both languages
            ),
        )
    return budget


def _read_words(text: str) -> tuple[dict[str, str], list[str]]:
    """The plan's options by key, and the other words (the budget and the search), as typed.

    Forgiving of how people type lists: a separator before an option or a filter is a space
    (`护肤，mix=head:1`, `20万，护肤`), and an option's value goes on across a separator and a space
    (`must=小红, 小明`, `mix=head:1 ,mid:2`) or after a space around `=` (`mix =head:1`)."""
    text = separate_terms(normalize_text(text), _is_term)  # NFKC: ，→ ,
    text = vocabulary.AFTER_BUDGET.sub(lambda m: m[1] + " " if _amount(m[1]) is not None else m[0], text, 1)
    options: dict[str, str] = {}
    rest: list[str] = []
    last: str | None = None  # the option the previous word set
    for word in words(text):  # shortlist="618 护肤": a quoted name is one word
        if rest and word.startswith("=") and _option_key(rest[-1]):
            word = rest.pop() + word  # `mix =head:1`
        match = vocabulary.OPTION.match(word)
        key = _option_key(match["key"]) if match else None
        if key is None and last is not None and _continues(last, options[last], word):
            options[last] += word if last != "mix" or word[0] in TERM_SEPARATORS else f",{word}"
            continue
        last = key
        if match and key:
            options[key] = match["value"]
        elif (flag := _option_key(word)) in _FLAGS:  # `每个MCN一位` alone: said, it means yes
            options[flag or ""], last = "", flag
        else:
            rest.append(f'"{word}"' if " " in word else word)  # a quoted keyword stays one
    for flag in _FLAGS & {k for k, v in options.items() if not v}:
        options[flag] = "yes"  # said alone, with no yes or no after it
    return options, rest


_FLAGS = frozenset({"one_per_mcn"})  # yes/no options whose name alone means yes


def _continues(key: str, value: str, word: str) -> bool:
    """Whether `word` goes on option `key`'s `value`: after `must=` or `must=小红,`, or as `,小明`;
    a mix part after a space (`组合=头部1个 腰部3个`); a yes or no after a flag said alone
    (`每个MCN一个 是`)."""
    if key in _FLAGS:
        return not value and simplified(word).lower() in vocabulary.YES | vocabulary.NO
    if key == "mix" and value and _mix_part(word):
        return True
    return not value or value[-1] in TERM_SEPARATORS or word[0] in TERM_SEPARATORS


def _mix_part(text: str) -> tuple[Tier, str] | None:
    """The tier a mix part names and its counts as written (`头部一个` → head, `1个`), or None."""
    split = vocabulary.MIX_PART.match(arabic_counts(simplified(text.strip())))
    tier = vocabulary.TIER_NAMES.get(split["tier"].lower()) if split else None
    return (tier, split["counts"]) if split and tier else None


def _is_term(name: str) -> bool:
    return _option_key(name) is not None or is_filter_name(name)


def _take_budget(option: str | None, rest: list[str]) -> str | None:
    """The budget as typed: `budget=`, else the first word (taken off `rest`); a second amount of
    money where the search would start is refused (`10万 10万` is no search for "10万")."""
    budget = option if option is not None or not rest else rest.pop(0)
    if (rest and simplified(rest[0]).lower() in vocabulary.DOLLAR_WORDS) or (budget or "").startswith("$"):
        raise _error(
            rest[0] if rest else budget or "",
            Text(
                "A plan's budget is in yuan (`200000`, `¥200000`); the TikHub spending cap in dollars "
                "is `%(command)s budget 50`.",
            ),
        )
    if rest and _is_money(rest[0]) and _amount(budget or "") is not None:  # else: the first is no budget
        what = (
            Text("Two budgets: `%(first)s` and `budget=%(budget)s`; give one.", first=rest[0], budget=budget)
            if option is not None
            else Text("Two budgets: `%(first)s` and `%(second)s`; give one.", first=budget, second=rest[0])
        )
        raise _error(rest[0], what)
    return budget


def _is_money(word: str) -> bool:
    """An amount written as money (`20万`, `¥5000`, `200k`), not a bare number a keyword may be (618)."""
    return bool(_amount(word)) and bool(vocabulary.MONEY_MARK.search(simplified(word)))


def _amount(word: str) -> float | None:
    """`word` read as an amount of yuan, None when it is none."""
    try:
        return parse_budget(word, most=math.inf)
    except KolbotError:
        return None


def _option_key(name: str) -> str | None:
    """The plan option `name` stands for, as typed in any case or script (`預算` too)."""
    return vocabulary.KEYS.get(simplified(name).lower())


def parse_mix(text: str) -> dict[Tier, TierRange]:
    """`head:1-2,mid:3-5,tail:5-10` (also `头部:1`, `tail:5+`, `頭部1个`, `腰部三到五个`)."""
    mix: dict[Tier, TierRange] = {}
    for part in vocabulary.MIX_SEPARATORS.split(text):
        if not part.strip():
            continue
        named = _mix_part(part)
        match = vocabulary.COUNT.match(named[1]) if named else None
        if named is None or match is None:
            raise _error(
                part,
                Text(
                    "“%(part)s” is not a mix part; write tier:count, e.g. head:1-2, mid:3-5, tail:5+.",
                    part=part,
                ),
            )
        tier, low = named[0], int(match["low"])
        high = None if match["plus"] else int(match["high"]) if match["high"] else low
        if high is not None and high < low:
            raise _error(part, Text("“%(part)s”: the range runs backwards.", part=part))
        if tier in mix:
            twice = Text("“%(part)s”: that tier is in mix= already; give each tier once.", part=part)
            raise _error(part, twice)
        mix[tier] = TierRange(low=low, high=high)
    if not mix:
        raise _error("mix=", Text("mix= is empty."))
    return mix


def parse_share(text: str) -> float:
    """`40%`, `40` or `0.4` → 0.4; must be above 0 and at most 100 %. A bare `1` could be 1 % or
    all of it, so it needs its `%`."""
    match = vocabulary.SHARE.match(text.strip())
    number = float(match["num"]) if match else None
    if match and number == 1 and not match["pct"]:
        raise _error(text, Text("“%(text)s”: write 1%% or 100%%.", text=text))
    if match and number is not None and (match["pct"] or number > 1):
        number /= 100
    if number is None or not (0 < number <= 1):
        raise _error(
            text, Text("“%(text)s” is not a share of the budget; write e.g. max_share=40%%.", text=text)
        )
    return number


def parse_ids(text: str, name: str) -> tuple[str, ...]:
    """`must=` / `exclude=`: star ids or nicknames as the cards show them, separated by commas (the
    planner matches a nickname among its candidates)."""
    ids = tuple(dict.fromkeys(i.strip() for i in vocabulary.ID_SEPARATORS.split(text) if i.strip()))
    bad = next((i for i in ids if len(i) > MAX_REF_CHARS), None)
    if bad is not None:
        raise _error(
            bad,
            Text(
                "“%(id)s” in %(name)s= is too long for a creator's id or name; separate creators "
                "with commas.",
                id=bad[:20] + "…",
                name=name,
            ),
        )
    return ids


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in vocabulary.YES:
        return True
    if value in vocabulary.NO:
        return False
    raise _error(text, Text("“%(text)s”: answer yes or no.", text=text))
