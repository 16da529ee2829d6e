"""Every way TikHub fails, against the fake server: classification, retries, cost, redaction."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.cards.errors import error_text
from bot.errors import UpstreamError, UpstreamKind
from bot.redact import Redactor
from bot.settings import PriceUnit, Settings
from bot.sources.base import SearchRequest
from bot.sources.tikhub import ROUTE_V1, TikHubClient, TikHubSource, check_response
from tests.fakes.tikhub_server import FakeTikHub, Fault

V1_PARAMS = {"keyword": "美妆", "platformSource": "_1", "page": "1"}


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub(token="tk-live-0123456789abcdef") as fake:
        yield fake


class Harness:
    """A client on the fake that records the backoff sleeps instead of sleeping."""

    def __init__(self, settings: Settings) -> None:
        self.sleeps: list[float] = []
        self.client = TikHubClient(settings, sleep=self.sleeps.append)

    def get(self, params: dict[str, str] = V1_PARAMS) -> Any:
        return self.client.get_json(ROUTE_V1, params, require_data=("authors",))

    def fail(self, params: dict[str, str] = V1_PARAMS) -> UpstreamError:
        with pytest.raises(UpstreamError) as info:
            self.get(params)
        return info.value


@pytest.fixture
def make() -> Iterator[Any]:
    harnesses: list[Harness] = []

    def build(settings: Settings) -> Harness:
        harnesses.append(Harness(settings))
        return harnesses[-1]

    yield build
    for harness in harnesses:
        harness.client.close()


def assert_secret_absent(secret: str, err: UpstreamError, log_text: str) -> None:
    for text in (str(err), err.detail, error_text(err, "en"), error_text(err, "zh"), log_text):
        assert secret not in text


def test_10003_inside_http_200_is_refused_billed_and_not_retried(tikhub, make) -> None:
    tikhub.inject(Fault.REFUSED)
    harness = make(tikhub.settings())
    err = harness.fail()
    assert (err.kind, err.status, err.upstream_code, err.billed) == (UpstreamKind.REFUSED, 200, 10003, True)
    assert (err.upstream_calls, err.cost_usd) == (1, 0.02)
    assert "10003" in error_text(err, "zh") and "10003" in error_text(err, "en")
    assert tikhub.calls == 1 and harness.sleeps == []


def test_refusal_is_not_cached(tikhub, make) -> None:
    tikhub.inject(Fault.REFUSED)
    harness = make(tikhub.settings())
    harness.fail()
    fetched = harness.get()
    assert (fetched.from_cache, fetched.upstream_calls, tikhub.calls) == (False, 1, 2)


def test_wrong_token_401_is_never_shown_or_logged(tikhub, make, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "tk-wrong-token-that-tikhub-echoes"
    harness = make(tikhub.settings(tikhub_api_key=secret))
    err = harness.fail()
    assert (err.kind, err.status, err.billed) == (UpstreamKind.AUTH, 401, False)
    assert "your submitted API token is [REDACTED]" in err.detail
    assert_secret_absent(secret, err, caplog.text)
    assert tikhub.calls == 1 and harness.sleeps == []


def test_403_echoing_the_authorization_header_is_redacted(tikhub, make, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    tikhub.inject(Fault.FORBIDDEN)
    harness = make(tikhub.settings())
    err = harness.fail()
    assert (err.kind, err.status) == (UpstreamKind.PERMISSION, 403)
    assert "lacks required permissions" in err.detail
    assert_secret_absent(tikhub.token, err, caplog.text)
    assert tikhub.calls == 1


@pytest.mark.parametrize(
    ("fault", "kind", "status"),
    [
        (Fault.UNAUTHORIZED, UpstreamKind.AUTH, 401),
        (Fault.NO_BALANCE, UpstreamKind.BALANCE, 402),
        (Fault.FORBIDDEN, UpstreamKind.PERMISSION, 403),
        (Fault.NOT_FOUND, UpstreamKind.NOT_FOUND, 404),
        (Fault.INVALID, UpstreamKind.BAD_REQUEST, 422),
    ],
)
def test_4xx_is_classified_and_never_retried(tikhub, make, fault, kind, status) -> None:
    tikhub.inject(fault, times=None)
    harness = make(tikhub.settings(tikhub_max_retries=3))
    err = harness.fail()
    assert (err.kind, err.status, err.upstream_calls, err.cost_usd) == (kind, status, 1, 0.0)
    assert tikhub.calls == 1 and harness.sleeps == []


def test_real_422_names_the_missing_param(tikhub, make) -> None:
    err = make(tikhub.settings()).fail({"keyword": "美妆"})
    assert err.kind is UpstreamKind.BAD_REQUEST
    assert "query.page: Field required" in err.detail and "query.platformSource" in err.detail


def test_429_honours_retry_after_then_succeeds(tikhub, make) -> None:
    tikhub.retry_after_s = 7
    tikhub.inject(Fault.RATE_LIMITED)
    harness = make(tikhub.settings())
    fetched = harness.get()
    assert harness.sleeps == [7.0]
    assert (fetched.upstream_calls, fetched.cost_usd, tikhub.calls) == (2, 0.02, 2)


def test_retry_after_is_capped(tikhub, make) -> None:
    tikhub.retry_after_s = 3600
    tikhub.inject(Fault.RATE_LIMITED)
    harness = make(tikhub.settings())
    harness.get()
    assert harness.sleeps == [30.0]


def test_429_gives_up_after_max_retries(tikhub, make) -> None:
    tikhub.inject(Fault.RATE_LIMITED, times=None)
    harness = make(tikhub.settings(tikhub_max_retries=2))
    err = harness.fail()
    assert (err.kind, err.retry_after_s, err.upstream_calls, err.cost_usd) == (
        UpstreamKind.RATE_LIMITED,
        1.0,
        3,
        0.0,
    )
    assert tikhub.calls == 3 and len(harness.sleeps) == 2


def test_502_html_page_is_a_gateway_error(tikhub, make) -> None:
    tikhub.inject(Fault.BAD_GATEWAY)
    harness = make(tikhub.settings(tikhub_max_retries=0))
    err = harness.fail()
    assert (err.kind, err.status, err.billed) == (UpstreamKind.GATEWAY, 502, False)
    assert "tikhub.io | 502: Bad gateway" in err.detail and "<html" not in err.detail


def test_502_is_retried_with_jittered_backoff(tikhub, make) -> None:
    tikhub.inject(Fault.BAD_GATEWAY, times=2)
    harness = make(tikhub.settings())
    fetched = harness.get()
    assert (fetched.upstream_calls, tikhub.calls, len(harness.sleeps)) == (3, 3, 2)
    assert 0 <= harness.sleeps[0] <= 0.5 and 0 <= harness.sleeps[1] <= 1.0


def test_503_persisting_exhausts_exactly_max_retries(tikhub, make) -> None:
    tikhub.inject(Fault.UNAVAILABLE, times=None)
    harness = make(tikhub.settings(tikhub_max_retries=3))
    err = harness.fail()
    assert (err.kind, err.status, err.upstream_calls) == (UpstreamKind.GATEWAY, 503, 4)
    assert tikhub.calls == 4 and len(harness.sleeps) == 3
    assert all(0 <= s <= 0.5 * 2**i for i, s in enumerate(harness.sleeps))


def test_read_timeout_counts_as_a_call_and_is_retried(tikhub, make) -> None:
    tikhub.slow_s = 5
    tikhub.inject(Fault.SLOW)
    harness = make(tikhub.settings(tikhub_read_timeout_s=0.2))
    fetched = harness.get()
    assert (fetched.upstream_calls, fetched.cost_usd, tikhub.calls) == (2, 0.02, 2)


def test_read_timeout_without_retries(tikhub, make) -> None:
    tikhub.slow_s = 5
    tikhub.inject(Fault.SLOW)
    err = make(tikhub.settings(tikhub_read_timeout_s=0.2, tikhub_max_retries=0)).fail()
    assert (err.kind, err.upstream_calls, err.cost_usd) == (UpstreamKind.TIMEOUT, 1, 0.0)
    assert "ReadTimeout" in err.detail


def test_connection_refused_is_retried_and_costs_nothing(make) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(_env_file=None, tikhub_api_key="k", tikhub_base_url=f"http://127.0.0.1:{port}")
    harness = make(settings.model_copy(update={"tikhub_max_retries": 2}))
    err = harness.fail()
    assert (err.kind, err.upstream_calls, err.cost_usd) == (UpstreamKind.CONNECTION, 0, 0.0)
    assert len(harness.sleeps) == 2


def test_malformed_json_is_a_billed_bad_response(tikhub, make) -> None:
    tikhub.inject(Fault.MALFORMED_JSON)
    harness = make(tikhub.settings())
    err = harness.fail()
    assert (err.kind, err.billed, err.cost_usd, tikhub.calls) == (UpstreamKind.BAD_RESPONSE, True, 0.02, 1)


def test_missing_authors_is_a_bad_response_and_not_cached(tikhub, make) -> None:
    tikhub.inject(Fault.NO_AUTHORS)
    harness = make(tikhub.settings())
    err = harness.fail()
    assert err.kind is UpstreamKind.BAD_RESPONSE and "authors" in err.detail
    assert harness.get().from_cache is False and tikhub.calls == 2


def test_empty_results_are_a_valid_page(tikhub, make) -> None:
    tikhub.inject(Fault.EMPTY)
    source = TikHubSource(make(tikhub.settings()).client, PriceUnit.YUAN)
    page = source.search_page(SearchRequest("无结果", 1))
    assert (page.creators, page.has_more, page.total_count, page.upstream_calls) == ([], False, 0, 1)


def test_unreadable_search_data_is_a_bad_response(tikhub, make) -> None:
    tikhub.add_route("search_kol_v1", lambda params: {"authors": "oops", "base_resp": {"status_code": 0}})
    source = TikHubSource(make(tikhub.settings()).client, PriceUnit.YUAN)
    with pytest.raises(UpstreamError) as info:
        source.search_page(SearchRequest("美妆", 1))
    assert (info.value.kind, info.value.upstream_calls, info.value.cost_usd) == (
        UpstreamKind.BAD_RESPONSE,
        1,
        0.02,
    )


def test_refused_page_of_the_demo_dataset_is_refused_by_the_fake(tikhub, make) -> None:
    err = make(tikhub.settings()).fail({**V1_PARAMS, "keyword": "故障演示", "page": "2"})
    assert (err.kind, err.upstream_code) == (UpstreamKind.REFUSED, 10003)


def test_envelope_code_other_than_200_is_classified() -> None:
    response = httpx.Response(200, json={"code": 402, "message": "balance", "data": None})
    with pytest.raises(UpstreamError) as info:
        check_response(response, (), Redactor())
    assert (info.value.kind, info.value.upstream_code, info.value.billed) == (UpstreamKind.BALANCE, 402, True)


@pytest.mark.parametrize(
    "body",
    [
        {"detail": {"message": "x" * 290 + " tk-live-0123456789abcdef"}},
        {"code": 500, "message": "y" * 290 + " tk-live-0123456789abcdef", "data": None},
    ],
)
def test_a_token_past_the_clipping_point_is_redacted_before_the_cut(body: dict[str, Any]) -> None:
    """Clipped first, the token was cut in half and no longer recognised: its start leaked."""
    status = 401 if "detail" in body else 200
    response = httpx.Response(status, json=body)
    with pytest.raises(UpstreamError) as info:
        check_response(response, ("authors",), Redactor(["tk-live-0123456789abcdef"]))
    assert "tk-live" not in info.value.detail


@pytest.mark.parametrize("authors", ["oops", {"0": {}}, 7])
def test_authors_that_are_not_a_list_are_refused_before_caching(authors: object) -> None:
    response = httpx.Response(200, json={"code": 200, "data": {"authors": authors}})
    with pytest.raises(UpstreamError) as info:
        check_response(response, ("authors",), Redactor())
    assert info.value.kind is UpstreamKind.BAD_RESPONSE and info.value.billed


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"[" * 100_000 + b"]" * 100_000, {}),  # deeper than Python parses
        (b"not gzip at all", {"Content-Encoding": "gzip"}),
    ],
)
def test_a_body_python_cannot_read_is_a_bad_response_not_a_crash(
    tikhub, content: bytes, headers: dict[str, str]
) -> None:
    """Both escaped as a RecursionError and an httpx.DecodingError: an unexpected-error reference
    in Slack and a traceback in the terminal."""
    transport = httpx.MockTransport(lambda _req: httpx.Response(200, content=content, headers=headers))
    sleeps: list[float] = []
    http = httpx.Client(transport=transport)
    client = TikHubClient(tikhub.settings(), sleep=sleeps.append, http_client=http)
    with pytest.raises(UpstreamError) as info:
        client.get_json(ROUTE_V1, V1_PARAMS, require_data=("authors",))
    assert info.value.kind is UpstreamKind.BAD_RESPONSE and info.value.billed


def test_no_retry_starts_past_the_deadline(tikhub, make) -> None:
    """Four tries of a 30 s timeout per page kept a search silent for minutes."""
    tikhub.inject(Fault.BAD_GATEWAY, times=None)
    patient = make(tikhub.settings())
    patient.fail()
    assert tikhub.calls == 4  # the first try and TIKHUB_MAX_RETRIES (3)
    tikhub.reset()
    tikhub.inject(Fault.BAD_GATEWAY, times=None)
    hurried = make(tikhub.settings(tikhub_deadline_s=1e-6))  # an HTTP exchange takes longer than this
    err = hurried.fail()
    assert (tikhub.calls, hurried.sleeps, err.upstream_calls) == (1, [], 1)
