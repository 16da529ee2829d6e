"""Each creator's MCN, for `one_per_mcn=yes`: search data has none, so it comes from Xingtu's
`kol_base_info_v1` (the deep-dive's base part, cached for a day; $0.02 per uncached creator).
A creator whose MCN can't be read counts as independent, and the plan says how many."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.deepdive import parsers
from bot.deepdive.dates import china_today
from bot.deepdive.routes import ROUTES, PartKey
from bot.deepdive.service import JsonClient
from bot.errors import UpstreamError

log = logging.getLogger(__name__)
MAX_WORKERS = 8


class McnLookup:
    def __init__(self, client: JsonClient) -> None:
        self._client = client

    def mcns(self, star_ids: Sequence[str]) -> tuple[dict[str, str | None], int]:
        """star_id -> MCN name (None: independent or unknown), and how many lookups failed."""
        if not star_ids:
            return {}, 0
        with ThreadPoolExecutor(min(MAX_WORKERS, len(star_ids))) as pool:
            found = list(pool.map(self._one, star_ids))
        return {s: name for s, (name, _) in zip(star_ids, found, strict=True)}, sum(
            1 for _, ok in found if not ok
        )

    def _one(self, star_id: str) -> tuple[str | None, bool]:
        route = ROUTES[PartKey.BASE]
        try:
            fetched = self._client.get_json(
                route.path, route.params(star_id, china_today()), ttl_s=route.ttl_s
            )
            return parsers.parse_base_info(fetched.body).mcn_name or None, True
        except (UpstreamError, parsers.NoData, ValueError, TypeError, KeyError):
            log.info("no MCN for %s", star_id)
            return None, False
