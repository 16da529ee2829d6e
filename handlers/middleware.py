"""Global Bolt middleware: services in the context, clean user text, and each Slack request handled once.

Every string in a payload (command text, view submission values, action values) loses its NUL
and other C0 control characters, newline and tab excepted, before any listener parses it:
PostgreSQL refuses NUL in text, and none of them means anything in a query, a name or a note.

Slack retries deliveries it thinks failed (`X-Slack-Retry-Num`; Socket Mode's `retry_attempt` is
mapped to the same header by Bolt), and people double-click. Neither may run a paid search twice,
so every request claims an idempotency key in the `RequestLedger` first; a request whose key was
already claimed is acknowledged and dropped.

Slash commands are the exception: their claim, a database write, would delay the ack of every
command in a burst, so it is taken after the ack by `first_delivery` (`run_after_ack` does it in
the job). A command listener that changes anything outside `run_after_ack` calls it first.

A claim waits at most `ACK_WAIT_S` for a busy database. When the database is down or busy, the
claim raises and `handlers.app`'s error handler answers HTTP 200 with "storage is unavailable"
(`replies.failure_ack`); the next request tries the database again, so the bot recovers by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.db.engine import bounded_waits
from bot.observability.trace import note_outcome
from bot.services import Services
from bot.store.requests import RequestLedger

# The same button clicked again on the same message within this many seconds is a double click.
DOUBLE_CLICK_WINDOW_S = 5
# Database work before an ack (a claim, say) gives up after this long on a busy database (Slack
# allows 3 s for the ack): the user is told storage is unavailable rather than getting a timeout.
ACK_WAIT_S = 1.0
# Context key of the `bot.post_once.JobRun` a worker replays the request for (`handlers.jobs`).
JOB = "kolbot_job"
# Context key of a slash command's idempotency key, claimed after the ack by `first_delivery`.
CLAIM_AFTER_ACK = "kolbot_claim_after_ack"


def provide_services(services: Services) -> Callable[..., None]:
    """Puts `services` in every request's context, so listeners stay plain functions."""

    def middleware(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    return middleware


# C0 controls and DEL, except tab and newline: deleted from every payload string.
_CONTROLS = dict.fromkeys([c for c in range(0x20) if chr(c) not in "\t\n"] + [0x7F])


def strip_control_characters(body: dict[str, Any], next: Callable[[], None]) -> None:
    """Cleans the payload in place, so `command`, `action`, `view` and `body` all see clean text."""
    _clean(body)
    next()


def _clean(node: Any) -> Any:
    if isinstance(node, str):
        return node.translate(_CONTROLS)
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _clean(value)
    elif isinstance(node, list):
        node[:] = [_clean(item) for item in node]
    return node


def handle_once(
    body: dict[str, Any], context: BoltContext, logger: logging.Logger, next: Callable[[], None]
) -> BoltResponse | None:
    """Acknowledges and drops a request whose idempotency key was already claimed."""
    ledger: RequestLedger = context["services"].ledger
    key = idempotency_key(body)
    if context.get(JOB) is not None:  # a queued job: `kolbot serve` claimed it before queueing it
        pass
    elif key is not None and body.get("command"):
        context[CLAIM_AFTER_ACK] = key
    elif key is not None and not _claimed_first(ledger, key, body):
        logger.info("duplicate Slack request dropped: %s", key)
        note_outcome("duplicate")
        return BoltResponse(status=200, body="")
    next()
    return None


def first_delivery(context: BoltContext, logger: logging.Logger) -> bool:
    """Claims the key `handle_once` left for after the ack: False for a duplicate, which must do
    nothing; True for the first delivery, or when there was nothing left to claim."""
    key = context.pop(CLAIM_AFTER_ACK, None)
    with bounded_waits(ACK_WAIT_S):
        if key is None or context["services"].ledger.claim(key):
            return True
    logger.info("duplicate Slack request dropped: %s", key)
    note_outcome("duplicate")
    return False


def idempotency_key(body: dict[str, Any]) -> str | None:
    """A key identifying one delivery: the same for Slack's retries of it, unique otherwise."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    kind = body.get("type") or ("command" if body.get("command") else None)
    if body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    container, actions = body.get("container") or {}, body.get("actions") or []
    if actions and container:
        where = container.get("message_ts") or container.get("view_id")
        return f"{kind}:{container.get('channel_id')}:{where}:{actions[0].get('action_ts')}"
    return None


def _claimed_first(ledger: RequestLedger, key: str, body: dict[str, Any]) -> bool:
    with bounded_waits(ACK_WAIT_S):
        return ledger.claim(key) and _first_click(ledger, body)


def _first_click(ledger: RequestLedger, body: dict[str, Any]) -> bool:
    """False when the same user clicked the same action on the same message within the double-click window.

    Clicks are bucketed by `action_ts`; claiming this bucket and the previous one means two clicks
    less than one window apart always collide, whatever side of a bucket boundary they fall on.
    """
    actions, container = body.get("actions") or [], body.get("container") or {}
    if body.get("type") != "block_actions" or not actions:
        return True
    action = actions[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    user = (body.get("user") or {}).get("id")  # teammates clicking the same vote button both count
    where = f"{container.get('channel_id')}:{container.get('message_ts')}"
    click = f"click:{user}:{where}:{action.get('action_id')}:{value}"
    bucket = int(float(action.get("action_ts") or 0) // DOUBLE_CLICK_WINDOW_S)
    return ledger.claim(f"{click}@{bucket}") and ledger.claim(f"{click}@{bucket - 1}")
