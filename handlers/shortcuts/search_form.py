"""Opening the search form: from `/kol` with no text (results go to that channel), or from the
global shortcut "Find creators / 找达人" (no channel: the form asks for one, with a response_url).

Opened in the listener itself: a `trigger_id` expires 3 s after the click.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import vocabulary as vocab
from bot.cards.form_views import search_form_modal
from bot.errors import KolbotError
from bot.i18n import Text
from bot.search_form_fill import filled_form
from bot.services import Services
from bot.store.searches import SavedSearch
from handlers.modals import FORM_FAILED
from handlers.payloads import required_search, user_of
from handlers.post_reply import PostReply
from handlers.replies import answer_failures, answer_in

SHORTCUT_CALLBACK = "kol_find_creators"


def form_unavailable() -> KolbotError:
    return KolbotError(
        Text("The search form could not be opened."),
        hint=Text(
            "Type the search instead, e.g. `%(command)s %(keyword)s followers>=10w cpm<=60`; "
            "`%(command)s help` shows how.",
            keyword=vocab.EXAMPLE_KEYWORD,
        ),
    )


def open_search_form(
    client: WebClient,
    trigger_id: str,
    services: Services,
    *,
    target: dict[str, str] | None,
    search: SavedSearch | None = None,
) -> None:
    """Open the form; `target` (channel id and response_url) is where results go, else the form
    asks; `search`: the saved search it edits (*Edit search*), its fields filled in and its
    language kept for the results and for a failure."""
    form = None
    if search is not None:
        answer_in(search.lang)
        form = filled_form(services.parse_query(search.raw_query))
    lang = {"lang": search.lang} if search else {}
    metadata = json.dumps({**(target or {}), **lang}, separators=(",", ":"))
    view = search_form_modal(metadata, pick_channel=target is None, form=form)
    if view is None:
        raise form_unavailable()
    client.views_open(trigger_id=trigger_id, view=view)


def open_from_command(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, logger: logging.Logger
) -> None:
    """`/kol` with no text."""
    ack()
    services: Services = context["services"]
    with answer_failures(respond, services.default_lang, logger, failed=FORM_FAILED):
        target = {"channel_id": command["channel_id"], "response_url": command["response_url"]}
        open_search_form(context.client, command["trigger_id"], services, target=target)


def open_search_form_for(
    client: WebClient,
    body: dict[str, Any],
    context: BoltContext,
    logger: logging.Logger,
    *,
    search_ref: str | None = None,
) -> None:
    """Open the form with a conversation picker, filled in with the saved search `search_ref` when
    given (the Home tab's *Edit*); a failure is explained in the user's DM with kolbot (these clicks
    carry no response_url)."""
    services: Services = context["services"]
    user_id = user_of(body)
    reply = PostReply(client, user_id, user_id)
    with answer_failures(reply, services.default_lang, logger, failed=FORM_FAILED):
        search = required_search(services, body, search_ref) if search_ref else None
        open_search_form(client, body["trigger_id"], services, target=None, search=search)


def open_from_shortcut(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext, logger: logging.Logger
) -> None:
    """The global shortcut "Find creators / 找达人"."""
    ack()
    open_search_form_for(client, shortcut, context, logger)
