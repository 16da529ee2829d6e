"""Buttons and menus on a results card: more pages, re-sort (Details: `handlers.actions.deepdive`).

Values carry only ids (`{search_ref}:{start}`, `{search_ref}:{sort}`); the search
itself is looked up with the acting user's workspace, so a ref never crosses workspaces.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.models import SortKey
from bot.services import Services
from handlers.background import run_after_ack
from handlers.delivery import send_results
from handlers.payloads import required_search, user_of
from handlers.replies import answer_failures

REF_ACTIONS = ("kol_more", "kol_sort")


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
    ref, _, start = action["value"].rpartition(":")

    def work() -> None:
        search = required_search(services, body, ref)
        with answer_failures(respond, search.lang, logger):
            query = services.parse_query(search.raw_query).model_copy(update={"start_page": int(start)})
            send_results(services, respond, query, search.lang, ref_for=lambda: ref)

    run_after_ack(context, respond, services.default_lang, logger, work)


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
    ref, _, sort = action["selected_option"]["value"].rpartition(":")

    def work() -> None:
        search = required_search(services, body, ref)
        with answer_failures(respond, search.lang, logger):
            # Saved anew (the grammar's last `sort=` wins), so "more" on the new card keeps this order.
            raw = f"{search.raw_query} sort={SortKey(sort).value}"
            query = services.parse_query(raw)
            where = search.team_id, search.channel_id, user_of(body)
            save = partial(services.searches.save, *where, raw, search.lang)
            send_results(services, respond, query, search.lang, ref_for=save, replace=True)

    run_after_ack(context, respond, services.default_lang, logger, work)


def ref_in_message(message: dict[str, Any]) -> str | None:
    """The search ref carried by a results card's more/sort controls, if any."""
    for block in message.get("blocks") or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("action_id") not in REF_ACTIONS:
                continue
            values = [element.get("value"), *(o.get("value") for o in element.get("options") or [])]
            for value in values:
                if value and ":" in value:
                    return value.rpartition(":")[0]
    return None
