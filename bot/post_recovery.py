"""Finding a job's post in Slack when its worker died after Slack took the post and before the
answer was recorded (`bot.post_once`).

chat.postMessage has no idempotency key, so a post is made findable instead: a message carries
message metadata (`kolbot_post`, with a hash of its post key: nothing about the job or its
people), and a file share is found by the ids of the files it shared. Only a run that meets a
post intended but never answered (`bot.store.job_posts`) reads Slack: conversations.replies for
a thread reply, conversations.history otherwise, from `SKEW` before the intent (Slack's clock
may differ from ours), newest first, at most `PAGES` pages of `PAGE` messages.

The reads need the conversation type's `*:history` scope and kolbot's membership of the
conversation. A public channel kolbot posts in without having joined it (chat:write.public), a
DM addressed by user id, or an install made before the scopes answer an error (`not_in_channel`,
`channel_not_found`, `missing_scope`…): the post is then sent again, and the error logged, so
the user's job never fails for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

EVENT_TYPE = "kolbot_post"  # the message metadata's event_type on each message a job posts
SKEW = timedelta(minutes=1)
PAGE = 15  # the most a history read returns to a non-Marketplace app (Slack, 2025)
PAGES = 20
# The posting methods whose posts can be found again; the others (ephemeral messages, scheduled
# ones) are sent again after such a crash.
FINDABLE = frozenset({"chat.postMessage", "files.completeUploadExternal"})


def arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A Web API call's arguments, whether it sends them as `json`, `params` or `data`."""
    merged: dict[str, Any] = {}
    for part in (kwargs, *(kwargs.get(p) for p in ("json", "params", "data"))):
        if isinstance(part, dict):
            merged.update(part)
    return merged


def shared_files(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The files a files.completeUploadExternal call shares (`files` may be a JSON string)."""
    files = args.get("files") or []
    return list(json.loads(files) if isinstance(files, str) else files)


def markers(method: str, key: str, args: dict[str, Any]) -> list[str]:
    """What finds post `key` in its conversation: its metadata hash, or its files' ids."""
    if method == "chat.postMessage":
        return [_digest(key)]
    return [str(f["id"]) for f in shared_files(args) if f.get("id")]


def carries_marker(kwargs: dict[str, Any]) -> bool:
    """Whether a call's post already carries a post key's metadata (`bot.post_once.post_keyed`)."""
    metadata = arguments(kwargs).get("metadata")
    return isinstance(metadata, dict) and metadata.get("event_type") == EVENT_TYPE


def marked(method: str, key: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's keyword arguments with post `key`'s metadata on a chat.postMessage."""
    if method != "chat.postMessage":
        return kwargs
    metadata = {"event_type": EVENT_TYPE, "event_payload": {"post": _digest(key)}}
    return {**kwargs, "json": {**(kwargs.get("json") or {}), "metadata": metadata}}


def find(
    client: WebClient, method: str, args: dict[str, Any], since: datetime, found_by: Sequence[str]
) -> dict[str, Any] | None:
    """Slack's answer to a post made on or after `since` that carries one of `found_by`, rebuilt
    from its conversation; None when it is not there or cannot be read."""
    channel = args.get("channel") or args.get("channel_id")
    if not channel or not found_by:
        return None
    oldest = f"{(since - SKEW).timestamp():.6f}"
    try:
        for message in _messages(client, str(channel), args.get("thread_ts"), oldest):
            if _carries(message, found_by):
                return _answer(method, str(channel), message, found_by)
    except SlackApiError as err:
        log.warning(
            "cannot look for an unrecorded post in %s (%s): posting it again",
            channel,
            err.response.get("error"),
        )
        return None
    log.info("an unrecorded post is not in %s: posting it", channel)
    return None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _messages(
    client: WebClient, channel: str, thread_ts: str | None, oldest: str
) -> Iterator[dict[str, Any]]:
    """The conversation's (or thread's) messages since `oldest`, page by page."""
    cursor: str | None = None
    read: dict[str, Any] = {"channel": channel, "oldest": oldest, "include_all_metadata": True, "limit": PAGE}
    for _ in range(PAGES):
        if thread_ts:
            page = client.conversations_replies(ts=thread_ts, cursor=cursor, **read)
        else:
            page = client.conversations_history(cursor=cursor, **read)
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def _carries(message: dict[str, Any], found_by: Sequence[str]) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") == EVENT_TYPE and payload.get("post") in found_by:
        return True
    return any(f.get("id") in found_by for f in message.get("files") or [])


def _answer(method: str, channel: str, message: dict[str, Any], found_by: Sequence[str]) -> dict[str, Any]:
    """What Slack answered the post, as far as the message shows it (what kolbot reads of it)."""
    if method == "chat.postMessage":
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
    files = [f for f in message.get("files") or [] if f.get("id") in found_by]
    return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
