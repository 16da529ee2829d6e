"""The interface every creator data source implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.models import PageFetch


@dataclass(frozen=True)
class SearchRequest:
    """One page of a keyword search.

    `follower_range_wan` and `content_tag` are server-side filters that only `search_kol_v2`
    understands (followers in 万, tag ids like `tag_level_two-4`); a source that cannot apply
    them upstream must apply them itself or ignore them (the core filters again anyway).
    """

    keyword: str
    page: int
    follower_range_wan: tuple[int | None, int | None] | None = None
    content_tag: str | None = None

    @property
    def uses_v2(self) -> bool:
        return self.follower_range_wan is not None or self.content_tag is not None


class CreatorSource(Protocol):
    live: bool

    def search_page(self, request: SearchRequest) -> PageFetch:
        """Return one page, or raise `bot.errors.UpstreamError`."""
        ...
