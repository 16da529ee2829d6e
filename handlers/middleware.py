"""Global Bolt middleware: services in the context, clean user text, and each Slack request handled once.

Every string in a payload (command text, view submission values, action values) loses its NUL
and other C0 control characters, newline and tab excepted, before any listener parses it:
PostgreSQL refuses NUL in text, and none of them means anything in a query, a name or a note.

Slack retries deliveries it thinks failed (`X-Slack-Retry-Num`; Socket Mode's `retry_attempt` is
mapped to the same header by Bolt), and people double-click. Neither may run a paid search twice.
One rule covers commands, clicks, views and events alike: `HandleOnce` puts the request's
idempotency key in the context, and `first_delivery` claims it in the `RequestLedger` before the
first thing the request changes; a request whose key was already claimed changes nothing and is
acknowledged with an empty answer.

Clicks, views and events act in their listener, so `HandleOnce` claims them before the listener.
A slash command's listener only parses and acks, and its claim, a database write, would delay
the ack of every command in a burst: it is claimed when its work starts after the ack
(`run_after_ack`), or, for a subcommand that stores changes before it acks
(`Subcommand.changes_before_ack`), just before them (`claimed_before_ack`). With the queue
(`kolbot serve` on PostgreSQL) its claim and its job commit in one transaction before the ack
(`first_delivery(..., along=)`, `handlers.jobs.defer_slack_work`).

A claim waits at most `ACK_WAIT_S` for a busy database. When the database is down or busy, the
claim raises and `handlers.app`'s error handler answers HTTP 200 with "storage is unavailable"
(`replies.failure_ack`); the next request tries the database again, so the bot recovers by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.db.engine import bounded_waits
from bot.observability.trace import note_outcome
from bot.services import Services
from bot.store.requests import Along, RequestLedger

# The same button clicked again on the same message within this many seconds is a double click.
DOUBLE_CLICK_WINDOW_S = 1  # two clicks closer than 1-2 s: one; a vote taken back a moment later counts
# Database work before an ack (a claim, say) gives up after this long on a busy database (Slack
# allows 3 s for the ack): the user is told storage is unavailable rather than getting a timeout.
ACK_WAIT_S = 1.0
# Context key of the `bot.post_once.JobRun` a worker replays the request for (`handlers.jobs`).
JOB = "kolbot_job"
# Context key of the request's idempotency keys, until `first_delivery` claims them.
CLAIM = "kolbot_claim"

Next = Callable[[], BoltResponse]  # what Bolt passes a middleware as `next`


class ProvideServices(Middleware):
    """Puts `services` in every request's context, so listeners stay plain functions."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        req.context["services"] = self._services
        return next()


# C0 controls and DEL, except tab and newline: deleted from every payload string.
_CONTROLS = dict.fromkeys([c for c in range(0x20) if chr(c) not in "\t\n"] + [0x7F])


class StripControlCharacters(Middleware):
    """Cleans the payload in place, so `command`, `action`, `view` and `body` all see clean text."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        _clean(req.body)
        return next()


def _clean(node: Any) -> Any:
    if isinstance(node, str):
        return node.translate(_CONTROLS)
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _clean(value)
    elif isinstance(node, list):
        node[:] = [_clean(item) for item in node]
    return node


class HandleOnce(Middleware):
    """Keeps the request's idempotency key for `first_delivery`, and claims it now unless the request
    is a slash command; a duplicate is acknowledged and dropped."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        body, context = req.body, req.context
        key = idempotency_key(body)
        if context.get(JOB) is None and key is not None:  # a queued job was claimed before it was queued
            context[CLAIM] = (key, *_double_click_keys(body))
            if not body.get("command") and not first_delivery(context, context.logger):
                return BoltResponse(status=200, body="")
        return next()


def first_delivery(context: BoltContext, logger: logging.Logger, *, along: Along | None = None) -> bool:
    """Claims the request's keys, once, in one transaction: False for a duplicate, which must
    change nothing; True for the first delivery, or when there is nothing (left) to claim.

    `along(jobs)`: the jobs that must commit with the claim (`kolbot serve` queues the request's
    job there, `handlers.jobs`); if it raises, nothing is claimed, so Slack's retry is served. With
    nothing left to claim, its jobs are committed on their own; for a duplicate, not at all."""
    keys: tuple[str, ...] = context.pop(CLAIM, ())
    if not keys and along is None:
        return True
    ledger: RequestLedger = context["services"].ledger
    with bounded_waits(ACK_WAIT_S):
        if ledger.claim_all(keys, along=along):  # always, with no keys
            return True
    logger.info("duplicate Slack request dropped: %s", keys[0])
    note_outcome("duplicate")
    return False


@contextmanager
def claimed_before_ack(context: BoltContext, logger: logging.Logger) -> Iterator[bool]:
    """For a listener that stores changes before it acks: claims the request first (`first_delivery`),
    and bounds the database waits of the claim and the changes by `ACK_WAIT_S`."""
    with bounded_waits(ACK_WAIT_S):
        yield first_delivery(context, logger)


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


def _double_click_keys(body: dict[str, Any]) -> tuple[str, ...]:
    """Keys that collide when the same user clicks the same action on the same message within the
    double-click window; none for anything but a click.

    Clicks are bucketed by `action_ts`; claiming this bucket and the previous one means two clicks
    less than one window apart always collide, whatever side of a bucket boundary they fall on.
    """
    actions, container = body.get("actions") or [], body.get("container") or {}
    if body.get("type") != "block_actions" or not actions:
        return ()
    action = actions[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    user = (body.get("user") or {}).get("id")  # teammates clicking the same vote button both count
    where = f"{container.get('channel_id')}:{container.get('message_ts')}"
    click = f"click:{user}:{where}:{action.get('action_id')}:{value}"
    bucket = int(float(action.get("action_ts") or 0) // DOUBLE_CLICK_WINDOW_S)
    return f"{click}@{bucket}", f"{click}@{bucket - 1}"
