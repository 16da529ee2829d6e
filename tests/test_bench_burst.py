"""The benchmarks' load generator (`bench.burst`): all requests in flight at once, each timed to
its whole response, each one's status, no socket left open."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench.burst import post_concurrently, response_status
from tests.fakes.signing import SignedRequest, SlackRequests

BURST = 12
SLOW_S = 0.2


class _Handler(BaseHTTPRequestHandler):
    """`/together`: answers only once `BURST` requests are open at once (504 if they never are);
    `/slow`: 200 after `SLOW_S`; `/busy`: 503; `/cut`: a response cut short (the connection closes
    inside its body)."""

    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(body)
        if self.path == "/together":
            try:
                self.server.together.wait(timeout=10)
                self._answer(200, b'{"ok": true}')
            except threading.BrokenBarrierError:
                self._answer(504, b"not together")
        elif self.path == "/slow":
            time.sleep(SLOW_S)
            self._answer(200, b"late")
        elif self.path == "/busy":
            self._answer(503, b"busy")
        else:
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"short")
            self.close_connection = True

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # a burst's connects all wait in the listen backlog at once

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.together = threading.Barrier(BURST)
        self.bodies: list[bytes] = []


@pytest.fixture
def server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def _requests(count: int) -> list[SignedRequest]:
    slack = SlackRequests("secret", response_url="http://127.0.0.1:9/response")
    return [slack.command(f"护肤 {n}") for n in range(count)]


def test_every_request_of_a_burst_is_open_at_once(server: _Server) -> None:
    signed = _requests(BURST)
    run = post_concurrently(_url(server, "/together"), signed)
    assert run.statuses == [200] * BURST
    assert sorted(server.bodies) == sorted(r.body.encode() for r in signed)
    assert run.in_time == BURST and all(s > 0 for s in run.latencies_s)


def test_statuses_of_refusals_errors_and_cut_responses(server: _Server) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Handler) as closed:
        refused = f"http://127.0.0.1:{closed.server_address[1]}/busy"  # closed: nothing listens there
    urls = [_url(server, "/busy"), _url(server, "/cut"), refused]
    run = post_concurrently(urls, _requests(6))
    assert run.statuses == [503, 0, 0, 503, 0, 0]
    assert run.in_time == 0


def test_latency_runs_to_the_whole_response(server: _Server) -> None:
    run = post_concurrently(_url(server, "/slow"), _requests(3))
    assert run.statuses == [200, 200, 200]
    assert min(run.latencies_s) >= SLOW_S


def test_no_socket_is_left_open(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every socket the burst opened is closed when it returns, whatever its response. (The
    process's count of open files cannot tell: the test server's threads close their ends when
    they get to it.)"""
    opened: list[socket.socket] = []
    caller = threading.get_ident()

    class Recorded(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if threading.get_ident() == caller:  # the burst's own, not the server threads' accepted ones
                opened.append(self)

    monkeypatch.setattr(socket, "socket", Recorded)
    post_concurrently([_url(server, "/busy"), _url(server, "/cut")], _requests(8))
    assert len(opened) == 8 and all(sock.fileno() == -1 for sock in opened)


@pytest.mark.parametrize(
    ("received", "closed", "status"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False, 200),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", False, None),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", True, 0),
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nok", True, 0),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n", False, None),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", False, 200),
        (b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\nbusy", False, None),
        (b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\nbusy", True, 503),
        (b"HTTP/1.1 200 OK\r\nContent-", True, 0),
    ],
)
def test_a_response_is_whole_by_its_length_its_last_chunk_or_the_close(
    received: bytes, closed: bool, status: int | None
) -> None:
    assert response_status(received, closed=closed) == status
