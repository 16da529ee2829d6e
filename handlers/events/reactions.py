"""👍 / 👎 reactions on a creator's thread card count as votes; removing the reaction takes the
vote back (unless the user has since voted the other way with a button).

The reacted message is mapped to the creator through the card's stored `ts`; every other
reaction is acknowledged and ignored (an unanswered event would make Slack retry it). Slack's
retries are dropped by the middleware (`event_id`).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.errors import KolbotError
from bot.services import Services
from bot.shortlists.models import VoteGesture
from handlers.background import run_after_ack
from handlers.jobs import SlackTask
from handlers.replies import refusal

VOTE_REACTIONS = {"+1": 1, "thumbsup": 1, "-1": -1, "thumbsdown": -1}


def locates_its_item(event: dict[str, Any]) -> bool:
    """Matcher: Slack names the channel and ts of a reacted message; one without cannot be a card."""
    item = event.get("item") or {}
    return item.get("type") != "message" or bool(item.get("channel") and item.get("ts"))


def reaction_vote(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    value = VOTE_REACTIONS.get(str(event.get("reaction", "")).split("::")[0])  # drop ::skin-tone-N
    item = event.get("item") or {}
    if value is None or item.get("type") != "message":
        return
    services: Services = context["services"]
    team_id = body.get("team_id") or context.team_id or ""
    run_after_ack(
        context,
        None,
        services.default_lang,
        logger,
        lambda: _count_vote(services, client, team_id, event, value, logger),
        task=SlackTask.SHORTLIST_CARD,
    )


def _count_vote(
    services: Services,
    client: WebClient,
    team_id: str,
    event: dict[str, Any],
    value: int,
    logger: logging.Logger,
) -> None:
    """Record the reaction as a vote on the card's creator, if it is a card and changes the vote."""
    item = event["item"]
    user_id, channel_id = event["user"], item["channel"]
    card = services.shortlists.find_card(team_id, channel_id, item["ts"])
    if card is None:
        return
    short_id, star_id = card
    gesture = VoteGesture.UNREACT if event["type"] == "reaction_removed" else VoteGesture.REACT
    shortlist = services.shortlists.get(team_id, short_id)
    sync = services.shortlist_sync(client)
    try:
        if services.shortlists.vote(team_id, short_id, user_id, star_id, value, gesture) is not None:
            sync.refresh(shortlist, [star_id])
    except KolbotError as err:
        logger.warning("reaction vote refused: %s", err)
        reply = refusal(err, sync.lang(shortlist))
        thread_ts = shortlist.parent_ts
        client.chat_postEphemeral(channel=channel_id, user=user_id, thread_ts=thread_ts, **reply.to_dict())
