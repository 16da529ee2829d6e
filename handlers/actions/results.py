"""Buttons and menus on a results card: more pages, re-sort, edit the search in the search form
(Details: `handlers.actions.deepdive`).

Values carry only ids (`PageValue`, `SortValue`); the search itself is looked up with the acting
user's workspace, so a ref never crosses workspaces.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.cards.actions import PageValue, SearchValue, SortValue
from bot.cards.views import MAX_CARD_CREATORS
from bot.grammar import resorted
from bot.services import Services
from handlers.background import run_after_ack
from handlers.delivery import send_results
from handlers.jobs import SlackTask
from handlers.modals import FORM_FAILED
from handlers.payloads import channel_of, label_lang, required_search, user_of
from handlers.replies import answer_failures, answer_in
from handlers.shortcuts.search_form import open_search_form


def more_results(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    ack()
    services: Services = context["services"]

    def work() -> None:
        value = PageValue.decode(action.get("value"))
        search = required_search(services, body, value.search_ref)
        answer_in(search.lang)
        query = services.parse_query(search.raw_query)
        shown = value.shown if value.shown is not None else min(query.top, MAX_CARD_CREATORS)
        more = partial(services.search.more, pages_seen=value.start - 1, shown=shown)
        send_results(services, respond, query, search.lang, ref_for=lambda: value.search_ref, run=more)

    lang = label_lang(services, action)  # the card's, until the saved search says
    run_after_ack(context, respond, lang, logger, work, task=SlackTask.MORE_RESULTS)


def resort_results(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    ack()
    services: Services = context["services"]

    def work() -> None:
        value = SortValue.decode((action.get("selected_option") or {}).get("value"))
        search = required_search(services, body, value.search_ref)
        answer_in(search.lang)
        raw = resorted(search.raw_query, value.sort)  # saved anew: "more" on the new card keeps the order
        query = services.parse_query(raw)
        where = search.team_id, search.channel_id, user_of(body)
        save = partial(services.searches.save, *where, raw, search.lang)
        send_results(services, respond, query, search.lang, ref_for=save, replace=True)

    run_after_ack(context, respond, label_lang(services, action), logger, work, task=SlackTask.RESORT)


def edit_search(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Edit search*: the search form filled in with the card's search; its results come to this
    channel as a new card. Opened in the listener: a `trigger_id` expires 3 s after the click."""
    ack()
    services: Services = context["services"]
    with answer_failures(respond, label_lang(services, action), logger, failed=FORM_FAILED):
        search = required_search(services, body, SearchValue.decode(action.get("value")).search_ref)
        target = {"channel_id": channel_of(body), "response_url": body["response_url"]}
        open_search_form(client, body["trigger_id"], services, target=target, search=search)
