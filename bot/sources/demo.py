"""The bundled synthetic dataset as a `CreatorSource`: no credentials, no network, no cost.

v1 pages of `DEMO_KEYWORDS` come from `bot/demo_data/search_pages.json.gz` (loaded once, on first
use). Everything else is produced by the same deterministic generator the file was written
with (`bot.demo.synth`), so answers never depend on which path served them:

* another keyword → a small themed pool of 2 pages, so any demo search returns something;
* v2 filters (followers in 万, content tag id) → the whole keyword pool filtered, paged by 20;
* a page past the pool → no creators, `has_more=False`.

Page 2 of `synth.FAILING_KEYWORD` (故障演示) fails like the real upstream does (10003 inside
HTTP 200), so the demo shows how a failed page is reported; no other demo page fails.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from importlib.resources.abc import Traversable
from typing import Any

from bot.demo import synth
from bot.errors import UpstreamError, UpstreamKind
from bot.models import PageFetch
from bot.parsing import parse_search_data, to_int
from bot.settings import PriceUnit
from bot.sources.base import SearchRequest

log = logging.getLogger(__name__)


class DemoSource:
    """`CreatorSource` over the synthetic dataset captured at `synth.CAPTURED_AT`."""

    live = False

    def __init__(
        self, price_unit: PriceUnit = PriceUnit.YUAN, *, path: Traversable = synth.BUNDLE_PATH
    ) -> None:
        self._price_unit, self._path = price_unit, path
        self._pages: dict[str, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def search_page(self, request: SearchRequest) -> PageFetch:
        body = self._body(request)
        route = body["router"].rsplit("/", 1)[-1]
        data = body["data"]
        status = data["base_resp"]
        if status["status_code"] != 0:
            raise UpstreamError(
                UpstreamKind.REFUSED,
                upstream_code=to_int(status["status_code"]),
                detail=f"demo dataset: {status['status_message']}",
                billed=False,
            )
        parsed = parse_search_data(data, self._price_unit)
        return parsed.as_fetch(
            request.keyword,
            request.page,
            fetched_at=synth.CAPTURED_AT,
            upstream_calls=0,
            cost_usd=0.0,
            live=False,
            route=route,
        )

    def _body(self, request: SearchRequest) -> dict[str, Any]:
        keyword = request.keyword.strip()
        if not request.uses_v2:
            stored = self._bundled().get(keyword, {}).get(str(request.page))
            if stored is not None:
                return stored
        return synth.response_body(
            keyword,
            request.page,
            follower_range_wan=request.follower_range_wan,
            content_tag=request.content_tag,
        )

    def _bundled(self) -> dict[str, dict[str, Any]]:
        """keyword -> page number (str) -> response body, read from disk once."""
        if self._pages is None:
            with self._lock:
                if self._pages is None:
                    self._pages = self._load()
        return self._pages

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(gzip.decompress(self._path.read_bytes()))["pages"]
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            # The generator makes the same pages, so a broken install still serves the demo.
            log.error("demo dataset %s is unreadable (%s); generating its pages instead", self._path, exc)
            return {}
