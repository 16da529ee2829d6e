"""A fake TikHub API served over real HTTP on 127.0.0.1 (port 0), for tests and benchmarks.

    with FakeTikHub() as tikhub:
        client = TikHubClient(tikhub.settings(tikhub_max_retries=1), sleep=lambda s: None)
        tikhub.inject(Fault.REFUSED, page=2)         # next page-2 request: 10003 inside HTTP 200
        tikhub.inject(Fault.RATE_LIMITED, times=2)   # next two requests: 429 + Retry-After
        tikhub.inject(Fault.UNAVAILABLE, times=None) # every request until `reset()`: 503
        ...
        assert tikhub.calls == 3
        assert tikhub.requests[0].params["page"] == "1"

Like the real API it requires `Authorization: Bearer <token>` (otherwise 401 echoing the token),
answers 422 for missing or non-integer params, and serves `search_kol_v1`/`search_kol_v2` pages
from `bot.demo.synth.response_body` (deterministic, synthetic; like the demo dataset, page 2 of
故障演示 is refused with 10003). Other routes answer 404 unless added with `add_route(route, make_data)`,
which also overrides a search route. `delay_s` delays every answer (benchmarks, coalescing);
`Fault.SLOW` delays one answer by `slow_s` (client timeouts). `hold()` keeps every request
waiting until `release()` (work that is still running at a shutdown); `wait_for_calls(n)` waits
until `n` requests arrived. Every request is recorded.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.demo import synth_detail
from bot.demo.synth import refused_body, response_body
from bot.settings import Settings

JsonDict = dict[str, Any]
DataMaker = Callable[[dict[str, str]], JsonDict]

PREFIX = "/api/v1/douyin/xingtu/"
SEARCH_ROUTES = ("search_kol_v1", "search_kol_v2")
_REQUIRED = {"search_kol_v1": ("keyword", "platformSource", "page"), "search_kol_v2": ("keyword",)}
_INT_PARAMS = ("page",)


class Fault(StrEnum):
    REFUSED = "refused"  # HTTP 200, data.base_resp.status_code 10003, billed
    BAD_REQUEST = "400"  # TikHub's "Request failed. Please retry." for a value upstream rejects
    UNAUTHORIZED = "401"  # message echoes the submitted token, like the real API
    NO_BALANCE = "402"
    FORBIDDEN = "403"  # detail.headers.Authorization echoes "Bearer <token>"
    NOT_FOUND = "404"
    INVALID = "422"
    RATE_LIMITED = "429"  # Retry-After: `retry_after_s`
    BAD_GATEWAY = "502"  # Cloudflare HTML page
    UNAVAILABLE = "503"
    SLOW = "slow"  # a normal answer after `slow_s`
    MALFORMED_JSON = "malformed_json"  # HTTP 200, truncated JSON
    EMPTY = "empty"  # success with authors: [], has_more false, total_count 0
    NO_AUTHORS = "no_authors"  # success envelope whose data lacks `authors`


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    route: str
    params: dict[str, str]
    headers: dict[str, str]
    received_at: float = dataclasses.field(default_factory=time.monotonic)  # rate checks across processes


@dataclass
class _Scripted:
    fault: Fault
    route: str | None
    page: int | None
    times: int | None  # None: until reset()

    def matches(self, route: str, params: dict[str, str]) -> bool:
        return (self.route is None or self.route == route) and (
            self.page is None or params.get("page") == str(self.page)
        )


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class FakeTikHub:
    """The fake server; a context manager (or call `start()`/`stop()`)."""

    def __init__(
        self,
        token: str = "fake-tikhub-token",
        *,
        delay_s: float = 0.0,
        slow_s: float = 2.0,
        retry_after_s: int = 1,
    ) -> None:
        self.token, self.delay_s, self.slow_s, self.retry_after_s = token, delay_s, slow_s, retry_after_s
        self._lock = threading.Condition()
        self._open = threading.Event()  # cleared by hold()
        self._open.set()
        self._requests: list[RecordedRequest] = []
        self._script: list[_Scripted] = []
        self._routes: dict[str, DataMaker] = {}
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeTikHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed handlers
        self._open.set()  # and held ones
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTikHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, to use as TIKHUB_BASE_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, **overrides: Any) -> Settings:
        """Settings pointing at this fake with its token (no `.env` is read)."""
        values = {"tikhub_api_key": self.token, "tikhub_base_url": self.url, **overrides}
        return Settings(_env_file=None, **values)

    # -- scripting -------------------------------------------------------------------
    def inject(
        self, fault: Fault, *, route: str | None = None, page: int | None = None, times: int | None = 1
    ) -> None:
        """Answer the next `times` matching requests (None: all, until `reset`) with `fault`.

        Scripted faults are consumed in the order they were injected.
        """
        with self._lock:
            self._script.append(_Scripted(fault, route, page, times))

    def add_route(self, route: str, make_data: DataMaker) -> None:
        """Serve `route` with a success envelope whose `data` is `make_data(params)`."""
        with self._lock:
            self._routes[route] = make_data

    def serve_details(self) -> FakeTikHub:
        """Serve every deep-dive and id-lookup route from `bot.demo.synth_detail`."""
        for route in synth_detail.DETAIL_ROUTES + synth_detail.LOOKUP_ROUTES:
            self.add_route(route, partial(synth_detail.detail_data, route))
        return self

    def hold(self) -> None:
        """Keep every request (recorded at once) waiting for its answer until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_for_calls(self, count: int, timeout: float = 10.0) -> None:
        """Block until `count` requests have arrived; AssertionError on timeout."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise AssertionError(
                    f"{len(self._requests)} TikHub requests within {timeout}s, expected {count}"
                )

    def reset(self) -> None:
        """Forget recorded requests and pending faults."""
        with self._lock:
            self._requests.clear()
            self._script.clear()

    # -- inspection ------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> int:
        """Requests received, whatever their answer (each would be a paid call if it was a 200)."""
        with self._lock:
            return len(self._requests)

    # -- serving ---------------------------------------------------------------------
    def _answer(self, path: str, query: str, headers: dict[str, str]) -> _Answer:
        route = path.removeprefix(PREFIX) if path.startswith(PREFIX) else ""
        params = dict(parse_qsl(query, keep_blank_values=True))  # repeated keys: last wins
        with self._lock:
            self._requests.append(RecordedRequest(path, route, params, headers))
            self._lock.notify_all()
        self._open.wait()
        if self.delay_s:
            self._stopping.wait(self.delay_s)
        submitted = headers.get("authorization", "").removeprefix("Bearer ")
        if submitted != self.token:
            return _detail_error(401, route, params, _unauthorized_message(submitted))
        if route not in SEARCH_ROUTES and route not in self._routes:
            return _json(404, {"detail": "Not Found"})
        problems = _validate(route, params)
        if problems:
            return _json(422, {"detail": problems})
        fault = self._next_fault(route, params)
        if fault is Fault.SLOW:
            self._stopping.wait(self.slow_s)
            fault = None
        if fault not in (None, Fault.EMPTY, Fault.NO_AUTHORS):
            return self._fault_answer(fault, route, params, headers)
        body = self._success(route, params)
        _hollow(body, fault)
        return _json(200, body, (("x-request-id", body["request_id"]),))

    def _next_fault(self, route: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for entry in self._script:
                if entry.matches(route, params):
                    if entry.times is not None:
                        entry.times -= 1
                        if entry.times <= 0:
                            self._script.remove(entry)
                    return entry.fault
        return None

    def _success(self, route: str, params: dict[str, str]) -> JsonDict:
        if route in self._routes:
            return _envelope(route, params, self._routes[route](params))
        body = response_body(
            params["keyword"],
            int(params.get("page", "1")),
            follower_range_wan=_follower_range(params.get("followerRange")),
            content_tag=params.get("contentTag"),
            route=route,
        )
        body["params"] = params  # echo exactly what was received, as strings
        return body

    def _fault_answer(
        self, fault: Fault, route: str, params: dict[str, str], headers: dict[str, str]
    ) -> _Answer:
        match fault:
            case Fault.REFUSED:
                return _json(200, refused_body(route, params))
            case Fault.MALFORMED_JSON:
                return _Answer(200, b'{"code": 200, "data": {"authors": [{"star_id": "7')
            case Fault.BAD_GATEWAY | Fault.UNAVAILABLE:
                return _cloudflare_page(int(fault.value))
            case Fault.RATE_LIMITED:
                answer = _detail_error(429, route, params, "Too many requests, please slow down.")
                return dataclasses.replace(answer, headers=(("Retry-After", str(self.retry_after_s)),))
            case Fault.INVALID:
                return _json(422, {"detail": [_int_parsing("page", params.get("page"))]})
            case Fault.FORBIDDEN:
                echoed = {"Authorization": headers.get("authorization", ""), "Host": "api.tikhub.io"}
                return _detail_error(403, route, params, "API Token lacks required permissions.", echoed)
            case Fault.UNAUTHORIZED:
                return _detail_error(401, route, params, _unauthorized_message(self.token))
            case Fault.BAD_REQUEST:
                return _detail_error(400, route, params, "Request failed. Please retry.")
            case Fault.NO_BALANCE:
                return _detail_error(402, route, params, "Insufficient balance, please top up.")
            case _:  # Fault.NOT_FOUND
                return _detail_error(404, route, params, "Not found.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once
    fake: FakeTikHub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (timeouts); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server.fake._answer(url.path, url.query, headers)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging on stderr."""


def _validate(route: str, params: dict[str, str]) -> list[JsonDict]:
    problems: list[JsonDict] = [
        {"type": "missing", "loc": ["query", name], "msg": "Field required", "input": None}
        for name in _REQUIRED.get(route, ())
        if name not in params
    ]
    problems += [
        _int_parsing(name, params[name])
        for name in _INT_PARAMS
        if name in params and not params[name].strip().lstrip("-").isdigit()
    ]
    return problems


def _int_parsing(name: str, value: str | None) -> JsonDict:
    msg = "Input should be a valid integer, unable to parse string as an integer"
    return {"type": "int_parsing", "loc": ["query", name], "msg": msg, "input": value}


def _follower_range(value: str | None) -> tuple[int | None, int | None] | None:
    if not value or "-" not in value:
        return None
    low, high = value.split("-", 1)
    return (int(low) if low.isdigit() else None, int(high) if high.isdigit() else None)


def _hollow(body: JsonDict, fault: Fault | None) -> None:
    """Turn a success body into the EMPTY / NO_AUTHORS variants."""
    if fault is Fault.EMPTY:
        body["data"]["authors"] = []
        body["data"]["pagination"].update(has_more=False, total_count=0)
    elif fault is Fault.NO_AUTHORS:
        del body["data"]["authors"]


def _now_la() -> datetime:
    return datetime.now(ZoneInfo("America/Los_Angeles"))


def _envelope(route: str, params: dict[str, str], data: JsonDict) -> JsonDict:
    request_id, now = str(uuid.uuid4()), _now_la()
    return {
        "code": 200,
        "request_id": request_id,
        "message": "Request successful. This request will incur a charge.",
        "message_zh": "请求成功，本次请求将被计费。",
        "support": "Discord: https://discord.gg/example",
        "time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "time_stamp": int(now.timestamp()),
        "time_zone": "America/Los_Angeles",
        "docs": f"https://api.tikhub.io/#/Douyin-Xingtu-API/{route}",
        "cache_message": "This request will be cached for 24 hours.",
        "cache_message_zh": "本次请求将被缓存，有效期为 24 小时。",
        "cache_url": f"https://cache.tikhub.io/api/v1/cache/public/{request_id}?sign={'0' * 64}",
        "router": f"{PREFIX}{route}",
        "params": params,
        "data": data,
    }


def _unauthorized_message(submitted: str) -> str:
    return f"Invalid API token, your submitted API token is {submitted}. Please check it at the dashboard."


def _detail_error(
    status: int, route: str, params: dict[str, str], message: str, echoed_headers: JsonDict | None = None
) -> _Answer:
    """TikHub's FastAPI error shape; `echoed_headers` as the real 403 does (token included)."""
    now = _now_la()
    detail = {
        "code": status,
        "request_id": str(uuid.uuid4()),
        "message": message,
        "message_zh": f"请求失败（HTTP {status}）。",
        "docs": None,
        "support": "Discord: https://discord.gg/example",
        "time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "time_stamp": int(now.timestamp()),
        "time_zone": "America/Los_Angeles",
        "router": f"{PREFIX}{route}",
        "params": params,
        "headers": echoed_headers or {"message": f"HTTP {status} error, no need to provide request headers."},
    }
    return _json(status, {"detail": detail})


def _cloudflare_page(status: int) -> _Answer:
    label = {502: "Bad gateway", 503: "Service unavailable"}[status]
    page = (
        f'<!DOCTYPE html><html lang="en-US"><head><title>tikhub.io | {status}: {label}</title></head>'
        f"<body><h1>{label}</h1><p>Error code {status}</p><p>Cloudflare Ray ID: 0000000000000000</p>"
        "</body></html>"
    )
    return _Answer(status, page.encode(), "text/html; charset=UTF-8")


def _json(status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    return _Answer(status, json.dumps(body, ensure_ascii=False).encode(), headers=headers)
