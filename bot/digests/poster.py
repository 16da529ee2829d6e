"""Posting digests to Slack at a pace Slack accepts.

`chat.postMessage` allows about one message per second per channel. `ChannelGate` keeps a
next-allowed time per channel: a post waits for its channel's turn, and the next turn starts
`interval_s` after the post *returned*, so Slack never receives two messages for one channel
closer together than that, while different channels post in parallel. HTTP 429 is honoured by
slack_sdk's `RateLimitErrorRetryHandler` (it sleeps for `Retry-After`), connection errors by
`ConnectionErrorRetryHandler`. Errors meaning the channel is gone for good are told apart, so the
digest can pause itself instead of retrying forever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.cards.render import SlackMessage
from bot.observability.metrics import SlackErrorCounter
from bot.settings import Settings

CHANNEL_INTERVAL_S = 1.0
RATE_LIMIT_RETRIES = 3
# Slack errors after which posting to the channel cannot work until someone acts.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})


def make_slack_client(settings: Settings) -> WebClient:
    """Bot-token client for `settings.slack_api_url` that retries connection errors and 429s."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            SlackErrorCounter(),
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class PostError(Exception):
    """A message could not be posted. `posted` holds the ts of the parts that were."""

    def __init__(self, code: str, posted: list[str] | None = None) -> None:
        super().__init__(f"slack:{code}")
        self.code = code  # Slack's error code, or the client error's class name
        self.posted = posted or []

    @property
    def channel_gone(self) -> bool:
        return self.code in CHANNEL_GONE


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
    """Posts digest messages through a `WebClient`, paced by a `ChannelGate`."""

    def __init__(self, client: WebClient, *, gate: ChannelGate | None = None) -> None:
        self._client = client
        self._gate = gate or ChannelGate()
        self._workspace_url: str | None = None

    def post(self, channel: str, message: SlackMessage) -> str:
        """Post one message; returns its ts or raises `PostError`."""
        with self._gate.turn(channel):
            try:
                response = self._client.chat_postMessage(
                    channel=channel,
                    text=message.text,
                    blocks=message.blocks or None,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except SlackApiError as err:
                raise PostError(str(err.response.get("error") or "unknown_error")) from err
            except (SlackClientError, OSError) as err:
                raise PostError(type(err).__name__) from err
        return str(response["ts"])

    def post_all(self, channel: str, messages: Sequence[SlackMessage]) -> list[str]:
        """Post the parts in order; on a failure the `PostError` lists the parts already posted."""
        posted: list[str] = []
        for message in messages:
            try:
                posted.append(self.post(channel, message))
            except PostError as err:
                err.posted = posted
                raise
        return posted

    def archive_url(self, channel: str, ts: str) -> str | None:
        """A link to a message (`https://<workspace>.slack.com/archives/C…/p…`); None if unknown."""
        base = self._workspace()
        return f"{base}archives/{channel}/p{ts.replace('.', '')}" if base else None

    def _workspace(self) -> str | None:
        """The workspace URL from `auth.test`, asked until Slack answers; None when unknown."""
        if self._workspace_url is None:
            try:
                url = str(self._client.auth_test().get("url") or "")
            except (SlackClientError, OSError):
                return None
            self._workspace_url = url if not url or url.endswith("/") else f"{url}/"
        return self._workspace_url or None
