"""Shortlist buttons: *Add to shortlist* and *New shortlist* open a modal; on a creator's thread
card, 👍 / 👎 (clicking your own vote again takes it back), the status menu and *Quote & note*.

Values carry ids only (`bot.cards.actions`: `AddToShortlistValue`, `SearchValue`, `CardValue`,
`StatusValue`). Every lookup uses the acting user's workspace, so a forged or replayed payload from
elsewhere changes nothing and is refused with a clear message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.cards.actions import ActionId, AddToShortlistValue, CardValue, SearchValue, StatusValue
from bot.cards.shortlist_views import add_modal, edit_modal, new_modal
from bot.models import Duration, Lang
from bot.services import Services
from bot.shortlists.errors import not_on_list
from bot.shortlists.models import Shortlist, ShortlistItem, VoteGesture
from bot.shortlists.service import ShortlistService
from handlers.background import run_after_ack
from handlers.jobs import SlackTask
from handlers.modals import open_modal
from handlers.payloads import channel_of, saved_search, team_of, user_of
from handlers.replies import answer_in, unknown_creator
from handlers.views.shortlist import FormContext

V = TypeVar("V", bound=CardValue)
# (shortlists, shortlist, acting user, card) -> what changed, or None when nothing did
CardChange = Callable[[ShortlistService, Shortlist, str, V], object | None]


def _search_duration(services: Services, body: dict[str, Any], ref: str | None) -> Duration:
    """The video length of the search behind a results card (the default one elsewhere)."""
    saved = saved_search(services, body, ref)
    return services.parse_query(saved.raw_query).duration if saved else Duration.MEDIUM


def _form(
    body: dict[str, Any],
    channel_id: str,
    lang: Lang,
    *,
    star_id: str | None = None,
    short_id: str | None = None,
    duration: Duration = Duration.MEDIUM,
) -> FormContext:
    """What a modal opened by this click remembers; its answers go to the click's `response_url`."""
    return FormContext(
        channel_id=channel_id,
        lang=lang,
        response_url=body.get("response_url", ""),
        star_id=star_id,
        short_id=short_id,
        duration=duration,
    )


def open_add_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Add to shortlist* on a result or detail card: choose an open shortlist or name a new one."""
    ack()

    def view(services: Services, lang: Lang) -> dict[str, Any]:
        value, channel_id = AddToShortlistValue.decode(action.get("value")), channel_of(body)
        snapshot = services.snapshots.get(value.star_id)
        if snapshot is None:
            raise unknown_creator(value.star_id)
        open_lists = services.shortlists.list(team_of(body), channel_id, include_closed=False)
        duration = _search_duration(services, body, value.search_ref)
        form = _form(body, channel_id, lang, star_id=value.star_id, duration=duration)
        return add_modal(snapshot.creator, open_lists, lang, form.dump())

    open_modal(body, action, client, respond, context, logger, view)


def open_new_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*New shortlist* in a results card's footer (value: the search ref, for its video length)."""
    ack()

    def view(services: Services, lang: Lang) -> dict[str, Any]:
        duration = _search_duration(services, body, SearchValue.decode(action.get("value")).search_ref)
        return new_modal(lang, duration, _form(body, channel_of(body), lang, duration=duration).dump())

    open_modal(body, action, client, respond, context, logger, view)


def _change_card(
    body: dict[str, Any],
    raw: object,
    model: type[V],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    change: CardChange[V],
) -> None:
    """Apply `change` to the creator of a thread card after the ack, then re-render the creator's
    card and the shortlist's summary unless nothing changed. Failures are told in the shortlist's
    language (the workspace default when the shortlist is not this workspace's)."""
    services: Services = context["services"]

    def work() -> None:
        card = model.decode(raw)
        summary = services.shortlists.summary(team_of(body), card.short_id)
        sync = services.shortlist_sync(client)
        answer_in(sync.lang(summary.shortlist))
        if change(services.shortlists, summary.shortlist, user_of(body), card) is not None:
            sync.refresh(summary.shortlist, [card.star_id])

    run_after_ack(context, respond, services.default_lang, logger, work, task=SlackTask.SHORTLIST_CARD)


def vote(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """👍 / 👎 on a thread card; clicking the vote you already gave takes it back."""
    ack()
    value = 1 if action["action_id"] == ActionId.VOTE_UP else -1

    def change(
        shortlists: ShortlistService, s: Shortlist, user: str, card: CardValue
    ) -> ShortlistItem | None:
        return shortlists.vote(s.team_id, s.short_id, user, card.star_id, value, VoteGesture.CLICK)

    _change_card(body, action.get("value"), CardValue, client, respond, context, logger, change)


def set_status(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """The status menu on a thread card (option value: `StatusValue`)."""
    ack()
    raw = (action.get("selected_option") or {}).get("value")

    def change(shortlists: ShortlistService, s: Shortlist, user: str, card: StatusValue) -> ShortlistItem:
        return shortlists.set_status(s.team_id, s.short_id, user, card.star_id, card.status)

    _change_card(body, raw, StatusValue, client, respond, context, logger, change)


def open_edit_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Quote & note* on a thread card: the agency's quote, the rebate and a note, in a modal."""
    ack()

    def view(services: Services, lang: Lang) -> dict[str, Any]:
        card = CardValue.decode(action.get("value"))
        summary = services.shortlists.summary(team_of(body), card.short_id)
        shortlist = summary.shortlist
        item = next((i for i in summary.items if i.star_id == card.star_id), None)
        if item is None:
            raise not_on_list(card.star_id, shortlist.name)
        form = _form(body, shortlist.channel_id, lang, star_id=card.star_id, short_id=shortlist.short_id)
        return edit_modal(shortlist, item, lang, form.dump())

    open_modal(body, action, client, respond, context, logger, view)
