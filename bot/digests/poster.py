"""What the digest pipeline needs from Slack: a `Poster` (implemented by `bot.slack_io.digests`)
and the `PostError` it raises, which says whether the channel is gone for good, so the digest
can pause itself instead of retrying forever."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.cards.render import SlackMessage


class PostError(Exception):
    """A message could not be posted. `posted` holds the ts of the parts that were."""

    def __init__(self, code: str, posted: list[str] | None = None, *, channel_gone: bool = False) -> None:
        super().__init__(f"slack:{code}")
        self.code = code  # Slack's error code, or the client error's class name
        self.posted = posted or []
        self.channel_gone = channel_gone  # posting there cannot work until someone acts


class Poster(Protocol):
    def post(self, team_id: str, channel: str, message: SlackMessage) -> str:
        """Post one message; returns its ts or raises `PostError`."""
        ...

    def post_all(self, team_id: str, channel: str, messages: Sequence[SlackMessage]) -> list[str]:
        """Post the parts in order; on a failure the `PostError` lists the parts already posted."""
        ...

    def archive_url(self, team_id: str, channel: str, ts: str) -> str | None:
        """A link to a message; None if unknown."""
        ...
