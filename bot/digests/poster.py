"""What the digest pipeline needs from Slack: a `Poster` (implemented by `bot.slack_io.digests`,
which also renders the messages) and the `PostError` it raises, which says whether the channel is
gone for good, so the digest can pause itself instead of retrying forever."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.digests.models import Digest
from bot.digests.post import DigestPost
from bot.errors import KolbotError


class PostError(Exception):
    """A message could not be posted. `posted` holds the ts of the parts that were, of `parts`."""

    def __init__(
        self, code: str, posted: list[str] | None = None, *, parts: int = 1, channel_gone: bool = False
    ) -> None:
        super().__init__(f"slack:{code}")
        self.code = code  # Slack's error code, or the client error's class name
        self.posted = posted or []
        self.parts = parts
        self.channel_gone = channel_gone  # posting there cannot work until someone acts


class Poster(Protocol):
    def post_digest(self, post: DigestPost, *, skip: int = 0) -> list[str]:
        """Post the digest (one or more messages, in order) but its first `skip` (posted by an earlier
        attempt); returns the ts of those it posted, or raises `PostError`."""
        ...

    def post_unavailable(
        self,
        digest: Digest,
        keyword: str,
        error: KolbotError,
        *,
        retry_at: datetime | None,
        next_run: datetime,
    ) -> str:
        """Post the note that this period's data cannot be fetched; returns its ts or raises `PostError`."""
        ...

    def archive_url(self, team_id: str, channel: str, ts: str) -> str | None:
        """A link to a message; None if unknown."""
        ...
