"""Shared by the digest tests: a changeable synthetic Xingtu market, settings and message helpers.

`Market` holds made-up creators and serves them, shaped like real `search_kol_v1` pages, through
`FakeTikHub.add_route`; tests change prices, followers or drop creators between digest runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub

BOT_TOKEN = "xoxb-digest-test-token"
TEAM = "T0TEST"
CHANNEL = "C0CAMPAIGN"
USER = "U0MARKETER"
PAGE_SIZE = 20


@dataclass
class Listing:
    nickname: str
    followers: int
    price: float  # 21-60 s quote, yuan
    star: float  # Xingtu index (link_star_index): sets the score order


class Market:
    """Synthetic creators `syn-001`… served for any keyword; change them between runs."""

    def __init__(self, count: int = 5) -> None:
        self.listings: dict[str, Listing] = {}
        for n in range(1, count + 1):
            self.put(n)

    def put(self, n: int, *, followers: int = 200_000, price: float = 10_000, nickname: str = "") -> str:
        star_id = f"syn-{n:03d}"
        self.listings[star_id] = Listing(nickname or f"合成达人{n}", followers, price, 90.0 - n)
        return star_id

    def drop(self, n: int) -> None:
        del self.listings[f"syn-{n:03d}"]

    def serve(self, tikhub: FakeTikHub) -> None:
        tikhub.add_route("search_kol_v1", self.data)

    def data(self, params: dict[str, str]) -> dict[str, Any]:
        page = int(params.get("page", "1"))
        ordered = sorted(self.listings.items())
        authors = [_author(star_id, listing) for star_id, listing in ordered]
        shown = authors[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return {
            "authors": shown,
            "base_resp": {"status_code": 0, "status_message": ""},
            "pagination": {
                "has_more": page * PAGE_SIZE < len(authors),
                "limit": PAGE_SIZE,
                "page": page,
                "total_count": len(authors),
            },
        }


def _author(star_id: str, listing: Listing) -> dict[str, Any]:
    """Every attribute is a string, as upstream sends them."""
    return {
        "star_id": star_id,
        "attribute_datas": {
            "nick_name": listing.nickname,
            "follower": str(listing.followers),
            "price_20_60": str(listing.price),
            "expected_play_num": "50000",
            "interact_rate_within_30d": "0.04",
            "link_star_index": str(listing.star),
        },
        "items": [],
        "task_infos": [],
    }


def digest_settings(slack: FakeSlackApi, tikhub: FakeTikHub | None = None, **overrides: Any) -> Settings:
    """Fast settings: demo data unless `tikhub` is given, short pacing and retries."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": "digest-signing-secret",
        "slack_api_url": slack.api_url,
        "kolbot_digest_post_interval_s": 0.05,
        "kolbot_digest_retry_s": 60,
        "tikhub_max_retries": 0,
        **overrides,
    }
    if tikhub is not None:
        return tikhub.settings(**values)
    return Settings(_env_file=None, **values)


def posts(slack: FakeSlackApi, channel: str | None = None) -> list[dict[str, Any]]:
    """Bodies of chat.postMessage calls, optionally for one channel."""
    return [
        c.body for c in slack.calls_to("chat.postMessage") if channel is None or c.body["channel"] == channel
    ]


def shown(message: dict[str, Any]) -> str:
    """A message's text and blocks as one string, for `in` checks."""
    return json.dumps(message, ensure_ascii=False)
