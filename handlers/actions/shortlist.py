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
from bot.errors import KolbotError
from bot.models import Duration
from bot.services import Services
from bot.shortlists.errors import not_on_list
from bot.shortlists.models import ShortlistSummary, VoteGesture
from bot.slack_io.shortlists import ShortlistSync
from handlers.background import run_after_ack
from handlers.payloads import channel_of, label_lang, saved_search, team_of, user_of
from handlers.replies import answer_failures, send_failure, unknown_creator
from handlers.views.shortlist import FormContext

V = TypeVar("V", bound=CardValue)
CardWork = Callable[[Services, ShortlistSync, ShortlistSummary, V, str], None]


def _search_duration(services: Services, body: dict[str, Any], ref: str | None) -> Duration:
    """The video length of the search behind a results card (the default one elsewhere)."""
    saved = saved_search(services, body, ref)
    return services.parse_query(saved.raw_query).duration if saved else Duration.MEDIUM


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
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger):
        value, channel_id = AddToShortlistValue.decode(action.get("value")), channel_of(body)
        star_id = value.star_id
        snapshot = services.snapshots.get(star_id)
        if snapshot is None:
            raise unknown_creator(star_id, services.settings.kolbot_command)
        open_lists = services.shortlists.list(team_of(body), channel_id, include_closed=False)
        form = FormContext(
            channel_id=channel_id,
            lang=lang,
            response_url=body.get("response_url", ""),
            star_id=star_id,
            duration=_search_duration(services, body, value.search_ref),
        )
        view = add_modal(snapshot.creator, open_lists, lang, form.dump())
        client.views_open(trigger_id=body["trigger_id"], view=view)


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
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger):
        duration = _search_duration(services, body, SearchValue.decode(action.get("value")).search_ref)
        form = FormContext(
            channel_id=channel_of(body),
            lang=lang,
            response_url=body.get("response_url", ""),
            duration=duration,
        )
        client.views_open(trigger_id=body["trigger_id"], view=new_modal(lang, duration, form.dump()))


def _on_card(
    body: dict[str, Any],
    raw: object,
    model: type[V],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    work: CardWork[V],
) -> None:
    """Run `work` for the creator card a thread button belongs to, answering failures in the
    shortlist's language (the workspace default when the shortlist is not this workspace's)."""
    services: Services = context["services"]
    try:
        value = model.decode(raw)
        summary = services.shortlists.summary(team_of(body), value.short_id)
    except KolbotError as err:
        send_failure(respond, err, services.default_lang, logger)
        return
    sync = services.shortlist_sync(client)
    with answer_failures(respond, sync.lang(summary.shortlist), logger):
        work(services, sync, summary, value, user_of(body))


def _on_card_after_ack(
    body: dict[str, Any],
    raw: object,
    model: type[V],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    work: CardWork[V],
) -> None:
    """`_on_card` on the worker pool: votes and status changes re-render the shortlist's messages."""
    services: Services = context["services"]
    run_after_ack(
        context,
        respond,
        services.default_lang,
        logger,
        lambda: _on_card(body, raw, model, client, respond, context, logger, work),
    )


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
    vote_value = 1 if action["action_id"] == ActionId.VOTE_UP else -1

    def work(
        services: Services, sync: ShortlistSync, summary: ShortlistSummary, card: CardValue, user: str
    ) -> None:
        shortlist = summary.shortlist
        changed = services.shortlists.vote(
            shortlist.team_id, shortlist.short_id, user, card.star_id, vote_value, VoteGesture.CLICK
        )
        if changed is not None:
            sync.refresh(shortlist, [card.star_id])

    _on_card_after_ack(body, action.get("value"), CardValue, client, respond, context, logger, work)


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

    def work(
        services: Services, sync: ShortlistSync, summary: ShortlistSummary, card: StatusValue, user: str
    ) -> None:
        shortlist = summary.shortlist
        services.shortlists.set_status(shortlist.team_id, shortlist.short_id, user, card.star_id, card.status)
        sync.refresh(shortlist, [card.star_id])

    _on_card_after_ack(body, raw, StatusValue, client, respond, context, logger, work)


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

    def work(
        services: Services, sync: ShortlistSync, summary: ShortlistSummary, card: CardValue, user: str
    ) -> None:
        shortlist, star_id = summary.shortlist, card.star_id
        item = next((i for i in summary.items if i.star_id == star_id), None)
        if item is None:
            raise not_on_list(star_id, shortlist.name)
        lang = label_lang(services, action)
        form = FormContext(
            channel_id=shortlist.channel_id,
            lang=lang,
            response_url=body.get("response_url", ""),
            star_id=star_id,
            short_id=shortlist.short_id,
        )
        client.views_open(trigger_id=body["trigger_id"], view=edit_modal(shortlist, item, lang, form.dump()))

    _on_card(body, action.get("value"), CardValue, client, respond, context, logger, work)
