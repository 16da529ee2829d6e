"""Shortlist cards and modals: the parent summary, thread cards, lists, history, replies and forms.

Same rules as `bot.cards.views`: labels live in the templates, this module supplies what needs
Python (mentions, grouping, localized audit lines, plain-text fallbacks). Slack ids become
mentions only when they look like ids, so a forged id cannot smuggle markup into a card.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.cards.actions import CardValue
from bot.cards.env import mrkdwn
from bot.cards.render import SlackMessage, render, render_view
from bot.errors import KolbotError
from bot.formatting import DASH, count, duration_label, yuan
from bot.i18n import N_, Text, ntr, tr
from bot.models import Creator, Duration, Lang
from bot.shortlists.models import (
    STATUS_LABELS,
    AuditAction,
    AuditEvent,
    ItemStatus,
    Shortlist,
    ShortlistItem,
    ShortlistListing,
    ShortlistSummary,
)

log = logging.getLogger(__name__)

ROWS_PER_SECTION = 10
MAX_LISTED = 40
MAX_OPTIONS = 100
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")
STATUS_EMOJI = {
    ItemStatus.PROPOSED: ":hourglass_flowing_sand:",
    ItemStatus.APPROVED: ":white_check_mark:",
    ItemStatus.REJECTED: ":x:",
    ItemStatus.CONTACTED: ":speech_balloon:",
    ItemStatus.BOOKED: ":handshake:",
}


def mention(user_id: str) -> str:
    """`<@U123>` for a Slack user id; anything else is shown as escaped text."""
    return f"<@{user_id}>" if _SLACK_USER.match(user_id) else mrkdwn(user_id)


def _status_labels(lang: Lang) -> dict[ItemStatus, str]:
    return {status: tr(lang, label) for status, label in STATUS_LABELS.items()}


def _groups(rows: list[Any]) -> list[list[Any]]:
    return [rows[i : i + ROWS_PER_SECTION] for i in range(0, len(rows), ROWS_PER_SECTION)]


def _money_line(summary: ShortlistSummary, lang: Lang) -> str:
    return tr(
        lang,
        "%(creator_count)s creators, list %(yuan)s, planned %(yuan2)s, %(plays)s "
        "expected plays, %(votes_up)s up / %(votes_down)s down",
        creator_count=summary.creator_count,
        yuan=yuan(summary.total_list_yuan, lang),
        yuan2=yuan(summary.planned_yuan, lang),
        plays=count(summary.total_expected_plays, lang),
        votes_up=summary.votes_up,
        votes_down=summary.votes_down,
    )


def parent_message(
    summary: ShortlistSummary,
    lang: Lang,
    *,
    thread_url: str | None = None,
    now: datetime | None = None,
) -> SlackMessage:
    """The message a shortlist's thread hangs under: name, owner, status and the live summary."""
    s = summary.shortlist
    labels = _status_labels(lang)
    context = {
        "lang": lang,
        "summary": summary,
        "owner": mention(s.owner_id),
        "statuses": [(status.value, labels[status]) for status in ItemStatus],
        "demo": any(not i.live for i in summary.items),
        "updated": now or datetime.now(UTC),
        "thread_url": thread_url,
    }
    status = tr(lang, "open") if s.status == "open" else tr(lang, "closed")
    fallback = tr(lang, "Shortlist %(name)s (%(status)s): ", name=s.name, status=status)
    return render("shortlist_parent.json.j2", context, fallback_text=fallback + _money_line(summary, lang))


def item_message(shortlist: Shortlist, item: ShortlistItem, lang: Lang) -> SlackMessage:
    """A creator's compact card in the thread: numbers for the shortlist's length, decisions, buttons."""
    ups = sorted(u for u, v in item.votes.items() if v > 0)
    downs = sorted(u for u, v in item.votes.items() if v < 0)
    context = {
        "lang": lang,
        "shortlist": shortlist,
        "item": item,
        "url": item.creator.douyin_url or item.creator.xingtu_url,
        "value": CardValue(short_id=shortlist.short_id, star_id=item.star_id),
        "status_label": _status_labels(lang),
        "status_emoji": STATUS_EMOJI,
        "statuses": list(ItemStatus),
        "voters_up": [mention(u) for u in ups[:10]],
        "voters_down": [mention(u) for u in downs[:10]],
        "added_by": mention(item.added_by),
    }
    status = tr(lang, STATUS_LABELS[item.status])
    fallback = tr(
        lang,
        "%(nickname)s: %(status)s, list price %(yuan)s, %(votes_up)s up / %(votes_down)s down",
        nickname=item.creator.nickname,
        status=status,
        yuan=yuan(item.list_price_yuan, lang),
        votes_up=item.votes_up,
        votes_down=item.votes_down,
    )
    return render("shortlist_item.json.j2", context, fallback_text=fallback)


def removed_message(item: ShortlistItem, lang: Lang, *, user_id: str) -> SlackMessage:
    """What a creator's thread card turns into once someone takes the creator off the shortlist."""
    fallback = tr(lang, "%(nickname)s was removed.", nickname=item.creator.nickname)
    context = {"lang": lang, "item": item, "actor": mention(user_id)}
    return render("shortlist_removed.json.j2", context, fallback_text=fallback)


# the plain-text fallback of each reply, given the shortlist's `name` and `id`
_REPLY_FALLBACKS: dict[str, str] = {
    "created": N_("Created shortlist %(name)s (id %(id)s)."),
    "added": N_("Shortlist %(name)s updated."),
    "removed": N_("Removed from %(name)s."),
    "closed": N_("Closed %(name)s."),
    "reopened": N_("Reopened %(name)s."),
    "renamed": N_("Renamed to %(name)s."),
    "exported": N_("Uploaded the export of %(name)s."),
    "reposted": N_("The message of %(name)s was posted again."),
}


def reply_message(
    event: str,
    shortlist: Shortlist,
    lang: Lang,
    *,
    thread_url: str | None = None,
    creators: Sequence[str] = (),
    already: Sequence[str] = (),
    filename: str = "",
) -> SlackMessage:
    """A one-line confirmation (`created`, `added`, `removed`, `closed`, `reopened`, `renamed`,
    `exported`) or the thread notice after a deleted parent was posted again (`reposted`)."""
    context = {
        "lang": lang,
        "event": event,
        "shortlist": shortlist,
        "thread_url": thread_url,
        "creators": list(creators),
        "already": list(already),
        "filename": filename,
    }
    fallback = tr(lang, _REPLY_FALLBACKS[event], name=shortlist.name, id=shortlist.short_id)
    return render("shortlist_reply.json.j2", context, fallback_text=fallback)


def list_message(listings: Sequence[ShortlistListing], lang: Lang) -> SlackMessage:
    """The channel's shortlists, newest first."""
    rows = [{"listing": li, "owner": mention(li.shortlist.owner_id)} for li in listings[:MAX_LISTED]]
    context = {
        "lang": lang,
        "groups": _groups(rows),
        "hidden": max(0, len(listings) - MAX_LISTED),
    }
    names = [f"{li.shortlist.name} ({li.shortlist.short_id})" for li in listings[:MAX_LISTED]]
    head = tr(lang, "Shortlists in this channel: ")
    return render("shortlist_list.json.j2", context, fallback_text=head + (", ".join(names) or DASH))


def _value_text(key: str, value: Any, duration: Duration, lang: Lang) -> str:
    if value is None:
        return DASH
    if key in ("quoted_price_yuan", "budget_yuan"):
        return yuan(value, lang)
    if key == "rebate_pct":
        return f"{value:g}%"
    if key == "status":
        return tr(lang, STATUS_LABELS[ItemStatus(value)])
    if key == "vote":
        return {1: "👍", -1: "👎"}.get(value, tr(lang, "no vote"))
    if key == "duration":
        return duration_label(Duration(value), lang)
    return str(value)


# how a change of these values reads (`%(change)s` is `— → ¥18,000`); other keys show the change alone
_KEY_LABELS: dict[str, str] = {
    "quoted_price_yuan": N_("quote %(change)s"),
    "rebate_pct": N_("rebate %(change)s"),
    "budget_yuan": N_("budget %(change)s"),
}


def _changes(event: AuditEvent, duration: Duration, lang: Lang) -> str:
    """`— → ¥20,000` (or `quote — → ¥18,000; rebate — → 10%`) for the values that changed."""
    before, after = event.before or {}, event.after or {}
    parts = []
    for key in after:
        old, new = before.get(key), after.get(key)
        if old != new:
            new_text = _value_text(key, new, duration, lang)
            change = f"{_value_text(key, old, duration, lang)} → {new_text}" if key in before else new_text
            parts.append(tr(lang, _KEY_LABELS[key], change=change) if key in _KEY_LABELS else change)
    return tr(lang, "; ").join(parts)


# what each audited action reads as in the history, given `who` (the creator it concerns)
_VERBS: dict[AuditAction, str] = {
    AuditAction.CREATE: N_("created the shortlist"),
    AuditAction.ADD: N_("added %(who)s"),
    AuditAction.REMOVE: N_("removed %(who)s"),
    AuditAction.VOTE: N_("voted on %(who)s"),
    AuditAction.STATUS: N_("set the status of %(who)s"),
    AuditAction.NOTE: N_("edited the note on %(who)s"),
    AuditAction.QUOTE: N_("recorded the quote for %(who)s"),
    AuditAction.CLOSE: N_("closed the shortlist"),
    AuditAction.REOPEN: N_("reopened the shortlist"),
    AuditAction.RENAME: N_("renamed the shortlist"),
}


def _event_text(event: AuditEvent, names: dict[str, str], duration: Duration, lang: Lang) -> str:
    who = f"{names[event.star_id]} ({event.star_id})" if event.star_id in names else (event.star_id or "")
    text = tr(lang, _VERBS[event.action], who=who)
    if event.action in (AuditAction.ADD, AuditAction.REMOVE, AuditAction.CLOSE, AuditAction.REOPEN):
        return text
    detail = _changes(event, duration, lang)
    return text + tr(lang, ": ") + detail if detail else text


def history_message(
    shortlist: Shortlist,
    events: Sequence[AuditEvent],
    lang: Lang,
    *,
    names: dict[str, str],
    limit: int | None = None,
) -> SlackMessage:
    """Who changed what and when, oldest first; `names` maps star_id to nickname where known.
    `limit` is how many events were asked for (a full page means older ones exist)."""
    rows = [
        {"at": e.at, "actor": mention(e.actor_id), "text": _event_text(e, names, shortlist.duration, lang)}
        for e in events
    ]
    context = {
        "lang": lang,
        "shortlist": shortlist,
        "groups": _groups(rows),
        "truncated": limit is not None and len(events) >= limit,
        "shown": len(events),
    }
    fallback = tr(lang, "History of %(name)s: ", name=shortlist.name)
    return render("shortlist_history.json.j2", context, fallback_text=fallback + str(len(events)))


def help_message(lang: Lang) -> SlackMessage:
    fallback = tr(
        lang,
        "%(command)s shortlist new|add|remove|list|show|history|export|close|reopen|rename",
    )
    return render(
        "shortlist_help.json.j2",
        {
            "lang": lang,
        },
        fallback_text=fallback,
    )


# -- modals ---------------------------------------------------------------------------------


def modal_unavailable() -> KolbotError:
    return KolbotError(
        Text("The form could not be opened."),
        hint=Text("Use the command instead: %(command)s shortlist help shows how."),
    )


def shortlist_options(open_lists: Sequence[ShortlistListing], lang: Lang) -> list[dict[str, str]]:
    """The picker's options for a channel's open shortlists: name and size, as many as Slack shows."""
    return [
        {
            "label": ntr(
                lang,
                "%(name)s · %(n)s creator",
                "%(name)s · %(n)s creators",
                li.creator_count,
                name=li.shortlist.name,
            ),
            "value": li.shortlist.short_id,
        }
        for li in open_lists[:MAX_OPTIONS]
    ]


def modal_view(template_name: str, context: dict[str, Any]) -> dict[str, Any]:
    view = render_view(template_name, context)
    if view is None:
        raise modal_unavailable()
    return view


def add_modal(
    creator: Creator, open_lists: Sequence[ShortlistListing], lang: Lang, metadata: str
) -> dict[str, Any]:
    """Choose one of the channel's open shortlists (newest first, preselected) or name a new one."""
    options = shortlist_options(open_lists, lang)
    context = {"lang": lang, "nickname": creator.nickname, "options": options, "metadata": metadata}
    return modal_view("shortlist_add_modal.json.j2", context)


def new_modal(lang: Lang, duration: Duration, metadata: str) -> dict[str, Any]:
    context = {"lang": lang, "duration": duration, "durations": list(Duration), "metadata": metadata}
    return modal_view("shortlist_new_modal.json.j2", context)


def _plain_number(value: float | None) -> str:
    """18000.0 -> "18000", 12.5 -> "12.5": what a user would type back into the form."""
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def edit_modal(shortlist: Shortlist, item: ShortlistItem, lang: Lang, metadata: str) -> dict[str, Any]:
    """Quote, rebate and note for one creator, prefilled with what is recorded."""
    context = {
        "lang": lang,
        "item": item,
        "duration": shortlist.duration,
        "quote": _plain_number(item.quoted_price_yuan),
        "rebate": _plain_number(item.rebate_pct),
        "metadata": metadata,
    }
    return modal_view("shortlist_edit_modal.json.j2", context)
