"""Each creator's MCN, for `one_per_mcn=yes`: search data has none, so it comes from Xingtu's
`kol_base_info_v1` (the deep-dive's base part, cached for a day; $0.02 per uncached creator).
A creator whose MCN can't be read counts as independent, and the plan says how many."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.deepdive import parsers
from bot.deepdive.dates import china_today
from bot.deepdive.routes import ROUTES, PartKey
from bot.deepdive.service import JsonClient
from bot.errors import UpstreamError
from bot.observability.trace import TracingExecutor
from bot.sources.tikhub import Fetched

log = logging.getLogger(__name__)
MAX_WORKERS = 8


@dataclass(frozen=True)
class McnResult:
    names: dict[str, str | None]  # star_id -> MCN (None: independent or unknown)
    failed: int  # lookups that gave no answer
    upstream_calls: int
    cost_usd: float


class McnLookup:
    def __init__(self, client: JsonClient) -> None:
        self._client = client

    def mcns(self, star_ids: Sequence[str]) -> McnResult:
        if not star_ids:
            return McnResult({}, 0, 0, 0.0)
        with TracingExecutor(min(MAX_WORKERS, len(star_ids))) as pool:  # the caller's payer too
            found = list(pool.map(self._one, star_ids))
        return McnResult(
            names={s: name for s, (name, _, _) in zip(star_ids, found, strict=True)},
            failed=sum(1 for _, fetched, _ in found if fetched is None),
            upstream_calls=sum(f.upstream_calls for _, f, _ in found if f is not None),
            cost_usd=sum(cost for _, _, cost in found),
        )

    def _one(self, star_id: str) -> tuple[str | None, Fetched | None, float]:
        """The MCN name, the response (None when it failed) and what the call cost."""
        route = ROUTES[PartKey.BASE]
        try:
            fetched = self._client.get_json(
                route.path, route.params(star_id, china_today()), ttl_s=route.ttl_s
            )
        except UpstreamError as exc:
            log.info("no MCN for %s: %s", star_id, exc.kind)
            return None, None, exc.cost_usd
        try:
            return parsers.parse_base_info(fetched.body).mcn_name or None, fetched, fetched.cost_usd
        except (UpstreamError, parsers.NoData, ValueError, TypeError, KeyError):
            log.info("no MCN in the base info of %s", star_id)
            return None, None, fetched.cost_usd
