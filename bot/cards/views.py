"""The bot's cards: build a template context from domain objects and render it.

Labels live in the templates (`t("Followers", "粉丝")`); this module supplies what needs Python:
score reasons, filter descriptions, URLs, paging values and the plain-text fallbacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot import vocabulary as vocab
from bot.cards.actions import PageValue
from bot.cards.errors import error_text
from bot.cards.render import SlackMessage, render, section_chunks
from bot.cards.result_notes import note_line, small_cohort_line, unknown_line, warning_lines
from bot.chinese import first_chinese
from bot.errors import KolbotError
from bot.formatting import DASH
from bot.grammar import active_filters, describe_filters, filters_as_typed, usage
from bot.i18n import N_, slash_command, tr
from bot.models import Creator, Duration, Lang, ScoredCreator, SearchResult, SortKey
from bot.scoring import component_label, low_confidence, reason
from bot.search import COST_SORTS

MAX_CARD_CREATORS = 20  # 2 blocks each; with header, summary and footer this stays under 50
_FALLBACK_NAME_CHARS = 40


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _creator_row(
    creator: Creator, scored: ScoredCreator | None, lang: Lang, rank: int | None
) -> dict[str, Any]:
    """What `_creator.json.j2` shows for one creator: score, reasons and where the name links to."""
    row: dict[str, Any] = {
        "rank": rank,
        "creator": creator,
        "url": creator.douyin_url or creator.xingtu_url,
        "score": None,
        "coverage": 0.0,
        "low_confidence": False,
        "strengths": [],
        "weakest": None,
        "unknown": [],
    }
    if scored is None:
        return row
    by_key = {c.key: c for c in scored.components}
    row.update(
        score=scored.score,
        coverage=scored.coverage,
        low_confidence=low_confidence(scored),
        strengths=[tr(lang, reason(by_key[k])) for k in scored.strengths if k in by_key],
        weakest=tr(lang, reason(by_key[scored.weakest])) if scored.weakest in by_key else None,
        unknown=[tr(lang, component_label(k)) for k in scored.unknown],
    )
    return row


def _filter_stats(result: SearchResult, lang: Lang) -> list[dict[str, Any]]:
    """Per filter: how many creators it excluded and how many it could not judge, described in `lang`."""
    described = {name: tr(lang, text) for name, text in active_filters(result.query)}
    return [
        {"description": described.get(f.name, f.description), "excluded": f.excluded, "unknown": f.unknown}
        for f in result.stats.filters
    ]


# grammar filter names Xingtu may apply (`SearchStats.upstream_filters`) -> the Query fields they set
_UPSTREAM_FIELDS = {"followers": "followers", "tag": "tags"}


def _upstream_typed(result: SearchResult) -> list[str]:
    """The filters Xingtu applied, as the user typed them: what the empty card asks to loosen."""
    fields = {_UPSTREAM_FIELDS[n] for n in result.stats.upstream_filters if n in _UPSTREAM_FIELDS}
    return filters_as_typed(result.query.raw, fields) if fields and result.query.raw else []


def _next_page(result: SearchResult) -> int:
    query, requested = result.query, result.stats.pages_requested
    return max(requested) + 1 if requested else query.start_page + query.pages


def continued_lines(result: SearchResult, lang: Lang) -> list[str]:
    """A *More results* card that fetched further pages says so, and what it means for the scores."""
    if not result.new_pages:
        return []
    first, last = result.new_pages[0], result.new_pages[-1]
    pages = f"{first}–{last}" if last != first else str(first)
    start = (result.rescored_from or 0) + 1
    if start > len(result.creators):
        return [tr(lang, "Fetched pages %(pages)s: no new creator matched.", pages=pages)]
    if start == 1:
        return [
            tr(
                lang,
                "Fetched pages %(pages)s: creators are scored against all %(seen)s creators seen so far.",
                pages=pages,
                seen=result.stats.creators_seen,
            )
        ]
    return [
        tr(
            lang,
            "Fetched pages %(pages)s: from #%(start)s on, creators are scored against all %(seen)s creators "
            "seen so far; #1–%(last)s keep the ranks and scores shown before.",
            pages=pages,
            start=start,
            seen=result.stats.creators_seen,
            last=start - 1,
        )
    ]


def _short_name(creator: Creator) -> str:
    name = creator.nickname
    return name if len(name) <= _FALLBACK_NAME_CHARS else name[: _FALLBACK_NAME_CHARS - 1] + "…"


def _results_text(result: SearchResult, shown: list[ScoredCreator], lang: Lang) -> str:
    """Notification / fallback: the count and the shortlist of names with scores."""
    keyword, matched = result.query.keyword, result.stats.matched
    head = tr(lang, "%(matched)s creators matched “%(keyword)s”", matched=matched, keyword=keyword)
    names = [
        f"{i}. {_short_name(s.creator)} ({DASH if s.score is None else round(s.score)}/100)"
        for i, s in enumerate(shown, start=result.offset + 1)
    ]
    return "\n".join([head, *names])


def results_message(
    result: SearchResult,
    lang: Lang,
    *,
    search_ref: str,
    now: datetime | None = None,
) -> SlackMessage:
    """The results card: summary, the top `query.top` creators with buttons, paging and sorting."""
    query, stats, offset = result.query, result.stats, result.offset
    shown = result.creators[offset : offset + min(query.top, MAX_CARD_CREATORS)]
    listed = offset + len(shown)  # how far down the list this card and the ones before it went
    more = listed < len(result.creators) or stats.has_more
    context = {
        "lang": lang,
        "search_ref": search_ref,
        "query": query,
        "stats": stats,
        "now": _now(now),
        "filters": [tr(lang, text) for text in describe_filters(query)],
        "warnings": [*continued_lines(result, lang), *warning_lines(result, lang)],
        "filter_stats": _filter_stats(result, lang),
        "notes": [note_line(n, lang) for n in query.notes]
        + list(filter(None, [small_cohort_line(result, lang)])),
        "unknown_line": unknown_line(result, lang),
        "filtered": [f.name for f in stats.filters],
        "upstream_filters": [tr(lang, d) for n, d in active_filters(query) if n in stats.upstream_filters],
        "upstream_typed": _upstream_typed(result),
        "rows": [_creator_row(s.creator, s, lang, rank) for rank, s in enumerate(shown, start=offset + 1)],
        "first_rank": offset + 1,
        "duration": query.duration,
        "durations": list(Duration),
        "sort_keys": list(SortKey),
        "sorts": sort_labels(lang),
        "priced_first": query.sort in COST_SORTS,
        "more_value": PageValue(search_ref=search_ref, start=_next_page(result), shown=listed)
        if more
        else None,
    }
    return render("results.json.j2", context, fallback_text=_results_text(result, shown, lang))


# How each order is named, on the results card's menu and in its filters line, and on a digest.
SORT_LABELS = {
    SortKey.SCORE: N_("Best score"),
    SortKey.CPM: N_("Lowest CPM"),
    SortKey.CPE: N_("Lowest CPE"),
    SortKey.FOLLOWERS: N_("Most followers"),
    SortKey.ER: N_("Highest engagement rate"),
    SortKey.GROWTH: N_("Fastest follower growth"),
    SortKey.PRICE: N_("Lowest price"),
}


def sort_labels(lang: Lang) -> dict[str, str]:
    return {key.value: tr(lang, label) for key, label in SORT_LABELS.items()}


def _subcommand_words(lang: Lang) -> dict[str, str]:
    """Each subcommand (and `help`) as this language's reader types it: a Chinese card shows the
    first Chinese alias, which the command reads as well as the English name."""
    names = {**vocab.SUBCOMMAND_ALIASES, "help": tuple(sorted(vocab.HELP_WORDS))}
    if lang != "zh":
        return {name: name for name in names}
    return {name: first_chinese(aliases) or name for name, aliases in names.items()}


def help_message(lang: Lang) -> SlackMessage:
    """How to search: the grammar (`bot.grammar.usage`) and what the numbers mean."""
    text = tr(lang, usage())
    context = {
        "lang": lang,
        "handle": vocab.DOUYIN_HANDLE,
        "usage": section_chunks(text.strip().splitlines()),
        "words": _subcommand_words(lang),
    }
    return render("help.json.j2", context, fallback_text=f"{slash_command()}\n{text}")


def error_message(err: KolbotError, lang: Lang) -> SlackMessage:
    """What happened and what to do, suitable for an ephemeral reply."""
    hint = "" if err.hint is None else tr(lang, err.hint)
    context = {"lang": lang, "what": tr(lang, err.what), "hint": section_chunks(hint.strip().splitlines())}
    return render("error.json.j2", context, fallback_text=error_text(err, lang))


def notice_message(text: str) -> SlackMessage:
    """A short progress note, e.g. "Searching… / 正在搜索…"."""
    return render("notice.json.j2", {"text": text}, fallback_text=text)
