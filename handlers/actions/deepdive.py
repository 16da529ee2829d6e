"""Deep-dive buttons: Details on a results card, Compare on a shortlist's parent message.

Details' value is a `DetailsValue` (star id and search ref). The saved search, looked up in the
acting user's workspace, gives the language, the video length to highlight and any `audience_*`
targets to check. Compare's value is a `ShortlistValue`; its comparison goes into the shortlist's
thread.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.actions import DetailsValue, ShortlistValue
from bot.deepdive.compare import MAX_CREATORS, MIN_CREATORS
from bot.errors import KolbotError
from bot.i18n import Text
from bot.models import Query
from bot.services import Services
from bot.shortlists.models import compared_items
from handlers.background import run_after_ack
from handlers.deepdive_posts import post_comparison, post_deep_dive
from handlers.jobs import SlackTask
from handlers.payloads import channel_of, label_lang, saved_search, team_of
from handlers.replies import answer_in


def show_deep_dive(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    ack()
    services: Services = context["services"]
    card_lang = label_lang(services, action)  # until the saved search says

    def work() -> None:
        value = DetailsValue.decode(action.get("value"))
        saved = saved_search(services, body, value.search_ref)
        lang = saved.lang if saved else card_lang
        answer_in(lang)
        query = services.parse_query(saved.raw_query) if saved else Query()
        post_deep_dive(
            services,
            context,
            channel_of(body),
            respond,
            value.star_id,
            lang,
            duration=query.duration,
            targets=query.audience or None,
        )

    run_after_ack(context, respond, card_lang, logger, work, task=SlackTask.DEEP_DIVE)


def compare_shortlist(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """The shortlist's creators but the rejected ones (of more than 5, the furthest along and best
    voted; the card names the rest), at the shortlist's video length."""
    ack()
    services: Services = context["services"]
    lang = label_lang(services, action)

    def work() -> None:
        short_id = ShortlistValue.decode(action.get("value")).short_id
        summary = services.shortlists.summary(team_of(body), short_id)
        compared = compared_items(summary.items, MAX_CREATORS)
        if len(compared.chosen) < MIN_CREATORS:
            raise _too_few()
        shortlist = summary.shortlist
        thread = shortlist.parent_ts or (body.get("container") or {}).get("message_ts")
        channel = channel_of(body)
        post_comparison(
            services,
            context,
            channel,
            respond,
            [i.star_id for i in compared.chosen],
            lang,
            duration=shortlist.duration,
            thread_ts=thread,
            left_out=[i.creator.nickname or i.star_id for i in compared.left_out],
            swap=compared.swap,
        )

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.COMPARE)


def _too_few() -> KolbotError:
    return KolbotError(
        Text("Compare needs at least two creators on the shortlist (rejected ones left out)."),
        hint=Text("Add at least two creators to the shortlist first."),
    )
