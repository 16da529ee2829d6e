"""Posting digests to Slack at a pace Slack accepts (the `bot.digests.poster.Poster`).

`chat.postMessage` allows about one message per second per channel. `ChannelGate` keeps a
next-allowed time per channel: a post waits for its channel's turn, and the next turn starts
`interval_s` after the post *returned*, so Slack never receives two messages for one channel
closer together than that, while different channels post in parallel. HTTP 429 is honoured by
slack_sdk's `RateLimitErrorRetryHandler` (it sleeps for `Retry-After`), connection errors by
`ConnectionErrorRetryHandler`. Errors meaning the channel is gone for good are told apart, so the
digest can pause itself instead of retrying forever. Each post uses the bot token of the digest's
workspace (`bot.slack_clients`); a workspace that removed kolbot counts as gone for good too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cards.digest_views import digest_messages, nothing_changed_message, unavailable_message
from bot.cards.render import SlackMessage
from bot.digests.models import Digest
from bot.digests.post import DigestPost
from bot.digests.poster import PostError
from bot.errors import KolbotError
from bot.slack_clients import NOT_INSTALLED, NotInstalled, SlackClients

CHANNEL_INTERVAL_S = 1.0
# Slack errors after which posting to the channel cannot work until someone acts.
CHANNEL_GONE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        NOT_INSTALLED,
    }
)


class ChannelGate:
    """One post at a time per channel, at least `interval_s` apart; channels are independent."""

    def __init__(
        self,
        interval_s: float = CHANNEL_INTERVAL_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval, self._clock, self._sleep = interval_s, clock, sleep
        self._lock = threading.Lock()
        self._channel_locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}

    @contextmanager
    def turn(self, channel: str) -> Iterator[None]:
        """Wait for the channel's turn, hold it while posting, then start its interval."""
        with self._lock:
            channel_lock = self._channel_locks.setdefault(channel, threading.Lock())
        with channel_lock:
            wait = self._next.get(channel, 0.0) - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._next[channel] = self._clock() + self._interval


class SlackPoster:
    """Posts digest messages with each workspace's bot token, paced by a `ChannelGate`."""

    def __init__(self, clients: SlackClients, *, gate: ChannelGate | None = None) -> None:
        self._clients = clients
        self._gate = gate or ChannelGate()
        self._workspace_urls: dict[str, str] = {}

    def post_digest(self, post: DigestPost, *, skip: int = 0) -> list[str]:
        """The digest, rendered, but its first `skip` parts; a run where nothing changed gets one
        short line."""
        messages = [nothing_changed_message(post)] if post.nothing_changed else digest_messages(post)
        return self._post_all(post.digest.team_id, post.digest.channel_id, messages[skip:])

    def post_unavailable(
        self,
        digest: Digest,
        keyword: str,
        error: KolbotError,
        *,
        retry_at: datetime | None,
        next_run: datetime,
    ) -> str:
        note = unavailable_message(digest, keyword, error, retry_at=retry_at, next_run=next_run)
        return self._post(digest.team_id, digest.channel_id, note)

    def _post(self, team_id: str, channel: str, message: SlackMessage) -> str:
        """Post one message; returns its ts or raises `PostError`."""
        with self._gate.turn(channel):
            try:
                response = self._clients.for_workspace(team_id).chat_postMessage(
                    channel=channel,
                    text=message.text,
                    blocks=message.blocks or None,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except NotInstalled as err:
                raise _error(err.code) from err
            except SlackApiError as err:
                raise _error(str(err.response.get("error") or "unknown_error")) from err
            except (SlackClientError, OSError) as err:
                raise _error(type(err).__name__) from err
        return str(response["ts"])

    def _post_all(self, team_id: str, channel: str, messages: Sequence[SlackMessage]) -> list[str]:
        """Post the parts in order; on a failure the `PostError` lists the parts already posted."""
        posted: list[str] = []
        for message in messages:
            try:
                posted.append(self._post(team_id, channel, message))
            except PostError as err:
                err.posted, err.parts = posted, len(messages)
                raise
        return posted

    def archive_url(self, team_id: str, channel: str, ts: str) -> str | None:
        """A link to a message (`https://<workspace>.slack.com/archives/C…/p…`); None if unknown."""
        base = self._workspace(team_id)
        return f"{base}archives/{channel}/p{ts.replace('.', '')}" if base else None

    def _workspace(self, team_id: str) -> str | None:
        """The workspace's URL from `auth.test` (its own token), asked until Slack answers."""
        if team_id not in self._workspace_urls:
            try:
                url = str(self._clients.for_workspace(team_id).auth_test().get("url") or "")
            except (NotInstalled, SlackClientError, OSError):
                return None
            self._workspace_urls[team_id] = url if not url or url.endswith("/") else f"{url}/"
        return self._workspace_urls[team_id] or None


def _error(code: str) -> PostError:
    return PostError(code, channel_gone=code in CHANNEL_GONE)
