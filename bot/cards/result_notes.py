"""The lines a results card adds under its summary: warnings (failed pages, a rejected filtered
search), how the grammar read doubtful parts of the query, and the creators left out for unknown
data. The card and the terminal's table (`bot.cli`) both print them; this module loads no
template, so a one-shot `kolbot search` stays quick to start."""

from __future__ import annotations

from bot.grammar import filter_label
from bot.i18n import N_, ptr, tr
from bot.models import Lang, QueryNote, SearchResult

_WARNINGS: dict[str, str] = {
    "pages_failed": N_(
        "Some result pages could not be loaded, so this list may be incomplete. Try again in a few minutes."
    ),
    "v2_rejected": N_(
        "Xingtu rejected the filtered search, so it ran again without upstream filters "
        "and your filters were applied here (results may be fewer)."
    ),
}


def warning_lines(result: SearchResult, lang: Lang) -> list[str]:
    """One line per warning; failed pages are named."""
    lines = []
    if result.stats.pages_failed:
        pages = ", ".join(str(p) for p in result.stats.pages_failed)
        lines.append(
            tr(
                lang,
                ":warning: Page(s) %(pages)s could not be loaded, so this list "
                "may be incomplete. Try again in a few minutes.",
                pages=pages,
            )
        )
    for key in dict.fromkeys(result.warnings):
        if key == "pages_failed" and result.stats.pages_failed:
            continue
        known = _WARNINGS.get(key)
        lines.append(":warning: " + (tr(lang, known) if known else tr(lang, "Note: %(key)s", key=key)))
    return lines


def note_line(note: QueryNote, lang: Lang) -> str:
    """How the grammar read a doubtful part of the query, and the form to use otherwise."""
    token, better = note.token, note.suggestion
    match note.kind:
        case "keyword":
            return tr(
                lang,
                ":information_source: Treated as a keyword: `%(token)s` (not read as a filter; see help)",
                token=token,
            )
        case "exact":
            return tr(
                lang,
                ":information_source: `%(token)s` means exactly that "
                "value; for “at least”, write `%(better)s`",
                token=token,
                better=better,
            )
    return tr(
        lang,
        ":information_source: `%(token)s` is read as a percentage below 1 %%: did you mean `%(better)s`?",
        token=token,
        better=better,
    )


def unknown_line(result: SearchResult, lang: Lang) -> str | None:
    """Per filter, how many creators had no value for it ("18 without CPM"): left out, or kept."""
    counts = [
        tr(
            lang,
            "%(unknown)s without %(filter_label)s",
            unknown=f.unknown,
            filter_label=tr(lang, filter_label(f.name)),
        )
        for f in result.stats.filters
        if f.unknown
    ]
    if not counts:
        return None
    listed = ptr(lang, "clause separator", ", ").join(counts)
    if result.query.unknowns:
        return tr(lang, ":grey_question: Kept with unknown data: %(listed)s", listed=listed)
    return tr(
        lang,
        ":grey_question: Left out for unknown data: %(listed)s (`unknowns=yes` keeps them)",
        listed=listed,
    )


SMALL_COHORT = 20  # one search page: below it a percentile score says little


def small_cohort_line(result: SearchResult, lang: Lang) -> str | None:
    """Scores are percentiles among the creators fetched (`bot.scoring`): among 7, one creator's 100
    beats six others, not a market. Said when fewer than a page's worth were seen."""
    seen = result.stats.creators_seen
    if not 1 < seen < SMALL_COHORT or len(result.creators) < 2:
        return None
    return tr(
        lang,
        ":information_source: Scores rank these %(seen)s creators against each other only: with so few, "
        "read them as a rough order, not a grade.",
        seen=seen,
    )


def result_notes(result: SearchResult, lang: Lang) -> list[str]:
    """The card's warnings, query notes, unknown-data line and small-cohort caution (mrkdwn), for the
    terminal to print too."""
    unknown = unknown_line(result, lang)
    small = small_cohort_line(result, lang)
    notes = [note_line(n, lang) for n in result.query.notes]
    return [
        *warning_lines(result, lang),
        *notes,
        *([unknown] if unknown else []),
        *([small] if small else []),
    ]
