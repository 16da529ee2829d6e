"""Buttons on the App Home tab: *Find creators* opens the search form; *Re-run* runs a saved search
again and posts the results card in the channel it was first made in; *Edit search* opens the form
filled in with it.

A home tab click has no response_url, so replies are posted with `chat.postMessage`: the card to
the search's channel (the user's DM with kolbot when the bot cannot post there), failures and
private cards to the DM. The home tab is republished afterwards, with the new search on top.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.cards.actions import SearchValue
from bot.errors import KolbotError
from bot.services import Services
from handlers.background import run_after_ack
from handlers.delivery import send_results
from handlers.events.home import publish_home
from handlers.jobs import SlackTask
from handlers.payloads import saved_search, team_of, user_of
from handlers.post_reply import PostReply
from handlers.replies import expired_search
from handlers.shortcuts.search_form import open_search_form_for


def open_form(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, logger: logging.Logger
) -> None:
    ack()
    open_search_form_for(client, body, context, logger)


def edit_saved_search(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Edit search* on the Home tab: the search form filled in with the saved search, asking where
    to post (a Home tab click has no channel)."""
    ack()
    ref = SearchValue.decode(action.get("value")).search_ref
    open_search_form_for(client, body, context, logger, search_ref=ref)


def rerun_search(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    ack()
    services: Services = context["services"]
    team_id, user_id = team_of(body), user_of(body)
    try:
        search, stale = saved_search(services, body, SearchValue.decode(action.get("value")).search_ref), None
    except KolbotError as err:  # a button from before the current value encoding
        search, stale = None, err
    reply = PostReply(client, search.channel_id if search else user_id, user_id)
    lang = search.lang if search else services.default_lang

    def work() -> None:
        if stale is not None:
            raise stale
        if search is None:
            raise expired_search()
        query = services.parse_query(search.raw_query)
        save = partial(services.searches.save, team_id, search.channel_id, user_id, search.raw_query, lang)
        send_results(services, reply, query, lang, ref_for=save)
        publish_home(services, client, team_id, user_id)

    run_after_ack(context, reply, lang, logger, work, task=SlackTask.RERUN)
