"""The search form modal and the line that teaches its grammar on the results card."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot import formatting as fmt
from bot import vocabulary as vocab
from bot.cards.env import mrkdwn
from bot.cards.render import SlackMessage, render_view
from bot.cards.validate import MAX_SECTION_TEXT
from bot.grammar import MAX_QUERY_CHARS
from bot.i18n import ptr, slash_command, tr
from bot.models import Duration, Lang
from bot.search_form import FOLLOWER_BRACKETS, MAX_TAGS, SearchForm, tag_groups

MODAL_CALLBACK = "kol_search_form"


@lru_cache(maxsize=2)
def _labels(lang: Lang) -> dict[str, str]:
    """Every label of the form in `lang`, by its English id."""
    return {
        "Awareness": ptr(lang, "search form", "Awareness"),
        "Seeding": ptr(lang, "search form", "Seeding"),
        "Conversion": ptr(lang, "search form", "Conversion"),
        "Female": ptr(lang, "search form", "Female"),
        "Male": ptr(lang, "search form", "Male"),
        "Keyword": ptr(lang, "search form", "Keyword"),
        "Followers": ptr(lang, "search form", "Followers"),
        "…or a custom range": ptr(lang, "search form", "…or a custom range"),
        "e.g. 20w-80w, or 30w+ for at least": ptr(lang, "search form", "e.g. 20w-80w, or 30w+ for at least"),
        "Video length": ptr(lang, "search form", "Video length"),
        "Max price for that length (yuan)": ptr(lang, "search form", "Max price for that length (yuan)"),
        "Max CPM (¥ per 1,000 plays)": ptr(lang, "search form", "Max CPM (¥ per 1,000 plays)"),
        "Max CPE (¥ per engagement)": ptr(lang, "search form", "Max CPE (¥ per engagement)"),
        "Min engagement rate (%)": ptr(lang, "search form", "Min engagement rate (%)"),
        "Goal": ptr(lang, "search form", "Goal"),
        "Xingtu tags (any of)": ptr(lang, "search form", "Xingtu tags (any of)"),
        "Region": ptr(lang, "search form", "Region"),
        "Cities or provinces, comma-separated": ptr(
            lang, "search form", "Cities or provinces, comma-separated"
        ),
        "Creator gender": ptr(lang, "search form", "Creator gender"),
        "Sort by": ptr(lang, "search form", "Sort by"),
        "More filters": ptr(lang, "search form", "More filters"),
        "Filters with no box above, as typed in a search": ptr(
            lang, "search form", "Filters with no box above, as typed in a search"
        ),
        "Post results in": ptr(lang, "search form", "Post results in"),
        "Find creators": ptr(lang, "search form", "Find creators"),
        "Search": ptr(lang, "search form", "Search"),
        "Cancel": ptr(lang, "search form", "Cancel"),
        "Any": ptr(lang, "search form", "Any"),
    }


@lru_cache(maxsize=2)
def _sort_labels(lang: Lang) -> dict[str, str]:
    """The sort options in `lang`, by key ("Followers" here is "most followers": its own context)."""
    return {
        "score": ptr(lang, "search form sort", "Score"),
        "cpm": ptr(lang, "search form sort", "CPM, cheapest"),
        "cpe": ptr(lang, "search form sort", "CPE, cheapest"),
        "price": ptr(lang, "search form sort", "Price, cheapest"),
        "followers": ptr(lang, "search form sort", "Followers"),
        "er": ptr(lang, "search form sort", "Engagement rate"),
        "growth": ptr(lang, "search form sort", "Follower growth"),
    }


def _both(label: str) -> str:
    """A label in English and Chinese ("Keyword · 关键词"): the form opens before anyone typed a word."""
    return f"{_labels('en')[label]} · {_labels('zh')[label]}"


def _durations() -> list[tuple[str, str]]:
    return [(d.value, f"{fmt.duration_label(d, 'en')} · {fmt.duration_label(d, 'zh')}") for d in Duration]


def _goals() -> list[tuple[str, str]]:
    return [
        ("awareness", _both("Awareness")),
        ("seeding", _both("Seeding")),
        ("conversion", _both("Conversion")),
    ]


def _genders() -> list[tuple[str, str]]:
    return [("female", _both("Female")), ("male", _both("Male"))]


def _sorts() -> list[tuple[str, str]]:
    en, zh = _sort_labels("en"), _sort_labels("zh")
    return [(key, f"{en[key]} · {zh[key]}") for key in en]


def _field(block: str, kind: str, label: str, **extra: Any) -> dict[str, Any]:
    return {
        "block": block,
        "kind": kind,
        "label": label,
        "optional": True,
        "hint": "",
        "initial": None,
        "max_length": _SHORT_BOX,
        **extra,
    }


_SHORT_BOX = 100  # characters in a number box; the keyword, region and more boxes take a whole search


def _filled(fields: list[dict[str, Any]], form: SearchForm) -> None:
    """Set each field's initial value from `form` (a search being edited); blank ones stay unset."""
    for f in fields:
        block = f["block"]
        if f["kind"] == "text":
            f["initial"] = getattr(form, block) or None
        elif f["kind"] == "select":
            f["initial"] = next((o for o in f["options"] if o[0] == getattr(form, block)), None)
        elif f["kind"] == "multi":
            f["initial"] = list(form.tags) or None


def _fields(pick_channel: bool, form: SearchForm | None) -> list[dict[str, Any]]:
    durations, goals, sorts = _durations(), _goals(), _sorts()
    fields = [
        _field(
            "keyword",
            "text",
            _both("Keyword"),
            placeholder=f"{vocab.EXAMPLE_KEYWORD} / skincare",
            optional=False,
            max_length=MAX_QUERY_CHARS,
        ),
        _field(
            "followers",
            "select",
            _both("Followers"),
            options=[(v, label) for v, label, _ in FOLLOWER_BRACKETS],
        ),
        _field(
            "followers_custom",
            "text",
            _both("…or a custom range"),
            placeholder="20w-80w",
            hint=_both("e.g. 20w-80w, or 30w+ for at least"),
        ),
        _field("duration", "select", _both("Video length"), options=durations, initial=durations[1]),
        _field(
            "max_price",
            "text",
            _both("Max price for that length (yuan)"),
            placeholder=f"5000 / 2{vocab.WAN}",
        ),
        _field("max_cpm", "text", _both("Max CPM (¥ per 1,000 plays)"), placeholder="60"),
        _field("max_cpe", "text", _both("Max CPE (¥ per engagement)"), placeholder="2"),
        _field("min_er", "text", _both("Min engagement rate (%)"), placeholder="3%"),
        _field("goal", "select", _both("Goal"), options=goals, initial=goals[1]),
        _field("tags", "multi", _both("Xingtu tags (any of)"), groups=tag_groups()),
        _field(
            "region",
            "text",
            _both("Region"),
            placeholder=vocab.EXAMPLE_REGIONS,
            hint=_both("Cities or provinces, comma-separated"),
            max_length=MAX_QUERY_CHARS,
        ),
        _field("gender", "select", _both("Creator gender"), options=_genders()),
        _field("sort", "select", _both("Sort by"), options=sorts, initial=sorts[0]),
        _field(
            "more",
            "text",
            _both("More filters"),
            placeholder="star>=60 pages=5",
            hint=_both("Filters with no box above, as typed in a search"),
            max_length=MAX_QUERY_CHARS,
        ),
    ]
    if form is not None:
        _filled(fields, form)
    if pick_channel:
        fields.insert(0, _field("channel", "channel", _both("Post results in"), optional=False))
    return fields


def search_form_modal(
    metadata: str, *, pick_channel: bool, form: SearchForm | None = None
) -> dict[str, Any] | None:
    """The modal view (None, logged, if it fails to render); `pick_channel` adds a conversation
    picker whose answer carries a response_url (the global shortcut has no channel of its own);
    `form`: the fields filled in (*Edit search*)."""
    context = {
        "metadata": metadata,
        "fields": _fields(pick_channel, form),
        "max_tags": MAX_TAGS,
        "title": _both("Find creators"),
        "submit": _both("Search"),
        "close": _both("Cancel"),
        "any": _both("Any"),
    }
    return render_view("search_form_modal.json.j2", context)


def with_notes(message: SlackMessage, notes: list[str]) -> SlackMessage:
    """`message` with each note (mrkdwn) as a context block under its first block."""
    if not notes:
        return message
    if not message.blocks:
        return SlackMessage(text="\n".join([message.text, *notes]), blocks=[])
    extra = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": n[:MAX_SECTION_TEXT]}]} for n in notes
    ]
    return SlackMessage(text=message.text, blocks=[message.blocks[0], *extra, *message.blocks[1:]])


def equivalent_query_note(text: str, lang: Lang) -> str:
    """ "Same as typing `/kol 护肤 followers>=10w …`" for a search made with the form."""
    line = f"`{mrkdwn(slash_command())} {mrkdwn(text)}`"
    return tr(lang, "📝 Same search, typed: %(line)s", line=line)
