"""Live Douyin Xingtu data through TikHub's paid API ($0.02 per call).

`TikHubClient.get_json` is the one path to any `/api/v1/douyin/xingtu/*` route: response cache,
in-flight coalescing (in the process, then across processes), the rate limit, retries with backoff,
failure classification into `UpstreamError` (redacted), and call/cost accounting. `TikHubSource`
adapts it to `CreatorSource`.

Cost model: TikHub bills every HTTP 200 response, including upstream refusals such as 10003;
`upstream_calls` counts every attempt that reached TikHub (responses and read timeouts).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from bot.errors import UpstreamError, UpstreamKind
from bot.models import PageFetch
from bot.observability.trace import note_upstream
from bot.parsing import parse_search_data
from bot.redact import Redactor
from bot.settings import PriceUnit, Settings
from bot.sources.base import SearchRequest
from bot.sources.cache import (
    Body,
    CacheBackend,
    LocalLimits,
    MemoryCache,
    SingleFlight,
    UpstreamLimits,
    cache_key,
    may_reuse_expired,
)

log = logging.getLogger(__name__)

ROUTE_V1 = "search_kol_v1"
ROUTE_V2 = "search_kol_v2"
API_PREFIX = "/api/v1/douyin/xingtu/"

_ROUTE = re.compile(r"[a-z0-9_]+(?:/[a-z0-9_]+)*")
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_BACKOFF_BASE_S = 0.5
_BACKOFF_CAP_S = 8.0
_RETRY_AFTER_CAP_S = 30.0
_OPEN_MAX_FOLLOWERS_WAN = 100_000  # 10亿: upper bound sent when the range is open-ended
_DETAIL_CHARS = 300
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)

_KIND_BY_STATUS = {
    400: UpstreamKind.BAD_REQUEST,
    401: UpstreamKind.AUTH,
    402: UpstreamKind.BALANCE,
    403: UpstreamKind.PERMISSION,
    404: UpstreamKind.NOT_FOUND,
    422: UpstreamKind.BAD_REQUEST,
    429: UpstreamKind.RATE_LIMITED,
}


class SpendMeter(Protocol):
    """Budget and accounting hooks (`bot.spend.budget.BudgetService`): `check()` runs before a paid
    call and may raise an `UpstreamError`; `record()` gets what each request made here cost."""

    def check(self) -> None: ...

    def record(self, calls: int, cost_usd: float) -> None: ...


class _FreeMeter:
    def check(self) -> None:
        return None

    def record(self, calls: int, cost_usd: float) -> None:
        return None


@dataclass(frozen=True)
class Fetched:
    """One response body and what obtaining it cost (zero when served from cache or shared)."""

    body: Body
    upstream_calls: int
    cost_usd: float
    from_cache: bool
    fetched_at: datetime


class TikHubClient:
    """Thread-safe TikHub GET client. `sleep` is injectable so tests never wait for real.

    `limits` default to this process's own (`LocalLimits`); `PostgresLimits` share them between
    processes. The client owns them: `close()` closes them."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache: CacheBackend | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http_client: httpx.Client | None = None,
        meter: SpendMeter | None = None,
        limits: UpstreamLimits | None = None,
    ) -> None:
        key = settings.tikhub_api_key.get_secret_value() if settings.tikhub_api_key else ""
        if not key:
            raise ValueError("TikHubClient needs TIKHUB_API_KEY")
        self._settings = settings
        self._auth = {"Authorization": f"Bearer {key}"}
        self._redact = Redactor.from_settings(settings)
        self._cache = cache if cache is not None else MemoryCache()
        self._sleep = sleep
        self._meter = meter or _FreeMeter()
        self._limits = limits or LocalLimits(settings.kolbot_tikhub_qps, sleep=sleep)
        self._flight: SingleFlight[Fetched | UpstreamError] = SingleFlight()
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=httpx.Timeout(settings.tikhub_read_timeout_s, connect=settings.tikhub_connect_timeout_s),
            headers={"User-Agent": "kolbot"},
        )

    def get_json(
        self,
        route: str,
        params: dict[str, str],
        *,
        require_data: tuple[str, ...] = (),
        ttl_s: int | None = None,
        expired_ok: bool = False,
    ) -> Fetched:
        """GET `{API_PREFIX}{route}`; raise `UpstreamError` unless the body is a success.

        `require_data` names keys that `body["data"]` must contain (e.g. `"authors"`), checked
        before the body is cached. `ttl_s` overrides the cache TTL for this route (creator
        profiles change more slowly than search pages); caching off (`KOLBOT_CACHE_TTL_S=0`) wins.
        `expired_ok`: a cached answer past its TTL will do (`bot.sources.cache.reusing_expired_pages`).
        """
        if not _ROUTE.fullmatch(route):
            raise ValueError(f"not a TikHub route: {route!r}")
        key = cache_key(route, params)
        outcome = self._cached(key, expired_ok=expired_ok) or self._shared_fetch(
            key, lambda: self._fetch(key, route, params, require_data, ttl_s), expired_ok=expired_ok
        )
        cache_hit = isinstance(outcome, Fetched) and outcome.from_cache
        note_upstream(route, outcome.upstream_calls, outcome.cost_usd, cache_hit=cache_hit)
        if isinstance(outcome, UpstreamError):
            raise outcome
        return outcome

    @property
    def redact(self) -> Redactor:
        """What masks this client's secrets in any text about its answers."""
        return self._redact

    def is_cached(self, route: str, params: dict[str, str]) -> bool:
        """Whether `get_json(route, params)` would be answered from the cache, free."""
        return self._cached(cache_key(route, params)) is not None

    def close(self) -> None:
        self._limits.close()
        if self._owns_http:
            self._http.close()

    def _shared_fetch(
        self, key: str, fetch: Callable[[], Fetched | UpstreamError], *, expired_ok: bool
    ) -> Fetched | UpstreamError:
        """One `fetch` per key at a time; callers that joined it share the result at no cost.

        Only the leader pays: the budget is checked here, after the cache (cached answers still
        serve over budget), and what the call cost is charged to the current payer. The leader
        looks again under the cross-process lock: a flight that landed since our miss (here or in
        another process) has filled the cache."""
        self._meter.check()

        def lead() -> Fetched | UpstreamError:
            with self._limits.hold(key):
                return self._cached(key, expired_ok=expired_ok) or fetch()

        # A caller that needs a fresh answer does not join one that may take an expired one; both
        # hold the same lock, so the second finds the first's answer in the cache, unpaid.
        outcome, leader = self._flight.do(f"{key}#expired-ok" if expired_ok else key, lead)
        if not leader:
            return _as_follower(outcome)
        self._meter.record(outcome.upstream_calls, outcome.cost_usd)
        return outcome

    def _cached(self, key: str, *, expired_ok: bool = False) -> Fetched | None:
        if self._settings.kolbot_cache_ttl_s <= 0:
            return None
        hit = self._cache.get(key, expired_ok=expired_ok)
        return Fetched(hit[0], 0, 0.0, True, hit[1]) if hit else None

    def _fetch(
        self,
        key: str,
        route: str,
        params: dict[str, str],
        require_data: tuple[str, ...],
        ttl_s: int | None,
    ) -> Fetched | UpstreamError:
        calls = billed = attempt = 0
        started = time.monotonic()
        while True:
            self._limits.acquire()
            outcome, reached = self._attempt(route, params, require_data)
            calls += reached is not None
            billed += reached == 200
            if not isinstance(outcome, UpstreamError):
                return self._store(key, outcome, calls, billed, ttl_s)
            attempt += 1
            delay = _backoff_s(attempt - 1, outcome.retry_after_s)
            late = time.monotonic() - started + delay > self._settings.tikhub_deadline_s
            if attempt > self._settings.tikhub_max_retries or not _retryable(outcome) or late:
                outcome.upstream_calls, outcome.cost_usd = calls, self._cost(billed)
                log.warning("TikHub %s failed after %d attempt(s): %s", route, attempt, outcome)
                return outcome
            log.info("TikHub %s attempt %d failed (%s); retrying in %.1fs", route, attempt, outcome, delay)
            self._sleep(delay)

    def _attempt(
        self, route: str, params: dict[str, str], require_data: tuple[str, ...]
    ) -> tuple[Body | UpstreamError, int | None]:
        """One HTTP exchange and what reached TikHub: a status, 0 for a read timeout, None if nothing."""
        url = f"{self._settings.tikhub_base_url}{API_PREFIX}{route}"
        try:
            response = self._http.get(url, params=params, headers=self._auth)
        except httpx.TimeoutException as exc:
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            return UpstreamError(UpstreamKind.TIMEOUT, detail=self._detail(exc)), 0 if sent else None
        except httpx.TransportError as exc:
            return UpstreamError(UpstreamKind.CONNECTION, detail=self._detail(exc)), None
        except httpx.DecodingError as exc:  # a body whose declared encoding (gzip…) it is not in
            return UpstreamError(UpstreamKind.BAD_RESPONSE, detail=self._detail(exc), billed=True), 200
        try:
            return check_response(response, require_data, self._redact), response.status_code
        except UpstreamError as exc:
            return exc, response.status_code

    def _store(self, key: str, body: Body, calls: int, billed: int, ttl_s: int | None) -> Fetched:
        """Cache a paid answer; if storing fails the answer is still returned (and logged)."""
        fetched_at = datetime.now(UTC)
        if self._settings.kolbot_cache_ttl_s > 0:
            try:
                self._cache.set(key, body, fetched_at, ttl_s or self._settings.kolbot_cache_ttl_s)
            except Exception:
                log.error("could not cache a paid TikHub answer (%s)", key.split("?")[0], exc_info=True)
        return Fetched(body, calls, self._cost(billed), False, fetched_at)

    def _cost(self, billed_calls: int) -> float:
        return round(billed_calls * self._settings.tikhub_cost_per_call_usd, 6)

    def _detail(self, exc: Exception) -> str:
        return self._redact(f"{type(exc).__name__}: {exc}")


def check_response(response: httpx.Response, require_data: tuple[str, ...], redact: Redactor) -> Body:
    """Return the body of a successful TikHub response or raise a classified `UpstreamError`.

    Checked in order: HTTP status, JSON (502s are HTML pages), envelope `code`,
    `data.base_resp.status_code` (10003 arrives inside HTTP 200 and is billed), required keys.
    """
    status = response.status_code
    if status != 200:
        raise UpstreamError(
            _kind_for(status),
            status=status,
            detail=_describe_error(response, redact),
            retry_after_s=_retry_after_s(response),
        )
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, or JSON nested deeper than Python parses
        raise _billed(UpstreamKind.BAD_RESPONSE, _describe_error(response, redact)) from None
    return _check_envelope(body, require_data, redact)


def _check_envelope(body: Any, require_data: tuple[str, ...], redact: Redactor) -> Body:
    if not isinstance(body, dict):
        raise _billed(UpstreamKind.BAD_RESPONSE, "body is not an object")
    code = body.get("code")
    if code != 200:
        kind = _kind_for(code) if isinstance(code, int) else UpstreamKind.BAD_RESPONSE
        detail = f"envelope code {code!r}: {_clip(body.get('message'), redact)}"
        raise _billed(kind, detail, _int_or_none(code))
    data = body.get("data")
    if not isinstance(data, dict):
        raise _billed(UpstreamKind.BAD_RESPONSE, "envelope without data")
    base_resp = data.get("base_resp")
    if isinstance(base_resp, dict):
        code = _int_or_none(base_resp.get("status_code"))
        if code != 0:
            detail = f"base_resp {code}: {_clip(base_resp.get('status_message'), redact)}"
            raise _billed(UpstreamKind.REFUSED, detail, code)
    missing = [k for k in require_data if not isinstance(data.get(k), list)]
    if missing:  # checked before the answer is cached: a broken page is not served for hours
        raise _billed(UpstreamKind.BAD_RESPONSE, f"data lacks a list of {', '.join(missing)}")
    return body


def _billed(kind: UpstreamKind, detail: str, upstream_code: int | None = None) -> UpstreamError:
    """A failure that arrived inside HTTP 200, which TikHub bills."""
    return UpstreamError(kind, status=200, upstream_code=upstream_code, detail=detail, billed=True)


def _kind_for(status: int) -> UpstreamKind:
    if status in _KIND_BY_STATUS:
        return _KIND_BY_STATUS[status]
    if status >= 500:
        return UpstreamKind.GATEWAY
    return UpstreamKind.BAD_REQUEST if status >= 400 else UpstreamKind.BAD_RESPONSE


def _describe_error(response: httpx.Response, redact: Redactor) -> str:
    """A short log line from any error body: FastAPI `detail` dict or list, or an HTML title."""
    prefix = f"HTTP {response.status_code}"
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        title = _TITLE.search(response.text)
        return f"{prefix} non-JSON body: {_clip(title.group(1) if title else response.text, redact)}"
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, dict):
        message = detail.get("message") or detail.get("message_zh")
        return redact(f"{prefix}: {_clip(message, redact)} (request_id={detail.get('request_id')})")
    if isinstance(detail, list):
        errors = [
            f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in detail if isinstance(e, dict)
        ]
        return f"{prefix}: {_clip('; '.join(errors), redact)}"
    return f"{prefix}: {_clip(payload, redact)}"


def _retry_after_s(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _retryable(error: UpstreamError) -> bool:
    """Retry throttling, gateway failures and network trouble; never other 4xx nor refusals."""
    return error.status in _RETRY_STATUSES or error.kind in {UpstreamKind.TIMEOUT, UpstreamKind.CONNECTION}


def _backoff_s(attempt: int, retry_after_s: float | None) -> float:
    """Honour `Retry-After` (capped); otherwise exponential backoff with full jitter."""
    if retry_after_s is not None:
        return min(retry_after_s, _RETRY_AFTER_CAP_S)
    return random.uniform(0, min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2**attempt))


def _as_follower(outcome: Fetched | UpstreamError) -> Fetched | UpstreamError:
    """A coalesced caller shares the leader's result but spent nothing itself."""
    if isinstance(outcome, Fetched):
        return dataclasses.replace(outcome, upstream_calls=0, cost_usd=0.0, from_cache=True)
    return UpstreamError(
        outcome.kind,
        status=outcome.status,
        upstream_code=outcome.upstream_code,
        detail=outcome.detail,
        retry_after_s=outcome.retry_after_s,
        billed=outcome.billed,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clip(value: Any, redact: Redactor) -> str:
    """Upstream text for a log line, secrets redacted before it is cut (a token cut in half would
    no longer be recognised)."""
    text = redact(str(value))
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "…"


def search_route(request: SearchRequest) -> tuple[str, dict[str, str]]:
    """Route and query params for one search page: v2 when the request carries v2 filters."""
    if not request.uses_v2:
        return ROUTE_V1, {"keyword": request.keyword, "platformSource": "_1", "page": str(request.page)}
    params = {"keyword": request.keyword, "page": str(request.page)}
    if request.follower_range_wan is not None and request.follower_range_wan != (None, None):
        low, high = request.follower_range_wan
        params["followerRange"] = f"{low or 0}-{high if high is not None else _OPEN_MAX_FOLLOWERS_WAN}"
    if request.content_tag:
        params["contentTag"] = request.content_tag
    return ROUTE_V2, params


class TikHubSource:
    """`CreatorSource` over live TikHub search pages."""

    live = True

    def __init__(self, client: TikHubClient, price_unit: PriceUnit) -> None:
        self._client, self._price_unit = client, price_unit

    def search_page(self, request: SearchRequest) -> PageFetch:
        route, params = search_route(request)
        expired_ok = may_reuse_expired(request.page)
        fetched = self._client.get_json(route, params, require_data=("authors",), expired_ok=expired_ok)
        try:
            parsed = parse_search_data(fetched.body["data"], self._price_unit)
        except ValueError as exc:
            raise UpstreamError(
                UpstreamKind.BAD_RESPONSE,
                status=200,
                detail=f"unreadable search data: {_clip(exc, self._client.redact)}",
                billed=True,
                upstream_calls=fetched.upstream_calls,
                cost_usd=fetched.cost_usd,
            ) from exc
        return parsed.as_fetch(
            request.keyword,
            request.page,
            fetched_at=fetched.fetched_at,
            upstream_calls=fetched.upstream_calls,
            cost_usd=fetched.cost_usd,
            from_cache=fetched.from_cache,
            live=True,
            route=route,
        )
