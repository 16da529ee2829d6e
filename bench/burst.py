"""The benchmarks' load generator: a burst of signed Slack requests, all in flight at once.

One thread drives every request of a burst on a connection of its own (non-blocking sockets and
`selectors`), and times each from its connect to the last byte of its response. The generator
shares this machine's two cores with the processes it measures, so it must cost them as little as
possible: the one it replaces, a thread and an `http.client` connection per request, spent
0.73–0.97 ms of CPU per request, more than the bare Bolt app's web process; this one spends
0.10–0.20 ms (`docs/benchmarks.md`, "The load generator"). Slack's
requests come from Slack's network, not from the bot's cores.
"""

from __future__ import annotations

import selectors
import socket
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.fakes.signing import SignedRequest

SLACK_ACK_LIMIT_S = 3.0  # Slack shows the user an error when the ack takes longer
BURST_TIMEOUT_S = 30.0  # a request still unanswered then counts as failed (status 0)

Address = tuple[str, int]


@dataclass
class AckRun:
    latencies_s: list[float]
    statuses: list[int]  # 0: no complete HTTP response (refused, reset, cut short, timed out)

    def quantile(self, q: int) -> float:
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[q - 1]

    @property
    def in_time(self) -> int:
        pairs = zip(self.latencies_s, self.statuses, strict=True)
        return sum(status == 200 and s <= SLACK_ACK_LIMIT_S for s, status in pairs)


def post_concurrently(url: str | Sequence[str], requests: Sequence[SignedRequest]) -> AckRun:
    """POST every request at once, each on a fresh connection; with several URLs the requests
    alternate between them, as a load balancer would spread them. Requests are encoded before the
    first connect, and each is sent as soon as its connection is up (the ones opened before it are
    served in between), so its clock covers the network and the server, not the generator."""
    urls = [url] if isinstance(url, str) else list(url)
    addresses = {u: _address(u) for u in urls}
    targets = [urls[n % len(urls)] for n in range(len(requests))]
    encoded = [(addresses[u], _encoded(u, r)) for u, r in zip(targets, requests, strict=True)]
    exchanges: list[_Exchange] = []
    with selectors.DefaultSelector() as selector:
        try:
            for address, data in encoded:
                exchanges.append(_Exchange(address, data, selector))
                _serve_ready(selector, timeout=0)
            deadline = time.perf_counter() + BURST_TIMEOUT_S
            while selector.get_map() and time.perf_counter() < deadline:
                _serve_ready(selector, timeout=1.0)
        finally:
            for exchange in exchanges:
                exchange.end()  # closes what is still open: the deadline's and an error's (status 0)
    return AckRun([e.took_s for e in exchanges], [e.status for e in exchanges])


def _serve_ready(selector: selectors.BaseSelector, *, timeout: float) -> None:
    for key, _ in selector.select(timeout):
        key.data.step(selector)


def _address(url: str) -> Address:
    """Host and port of `url`, resolved once, before any clock starts."""
    parts = urlsplit(url)
    sockaddr = socket.getaddrinfo(parts.hostname, parts.port or 80, socket.AF_INET)[0][4]
    return str(sockaddr[0]), int(sockaddr[1])


def _encoded(url: str, request: SignedRequest) -> bytes:
    """The request as HTTP/1.1 bytes."""
    parts = urlsplit(url)
    body = request.body.encode()
    lines = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in request.headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Exchange:
    """One request on its own connection: connect, send, read the response, close."""

    def __init__(self, address: Address, data: bytes, selector: selectors.BaseSelector) -> None:
        self.unsent = memoryview(data)
        self.received = bytearray()
        self.took_s = 0.0
        self.status = 0
        self.done = False
        self.sock = socket.socket()
        self.started = time.perf_counter()
        try:
            self.sock.setblocking(False)
            self.sock.connect_ex(address)  # in progress: writable once connected (or refused)
            selector.register(self.sock, selectors.EVENT_WRITE, self)
        except BaseException:
            self.end()
            raise

    def step(self, selector: selectors.BaseSelector) -> None:
        """Sends what the socket takes, or reads what arrived; unregisters and closes once over."""
        try:
            if self.unsent:
                self.unsent = self.unsent[self.sock.send(self.unsent) :]
                if not self.unsent:
                    selector.modify(self.sock, selectors.EVENT_READ, self)
                return
            chunk = self.sock.recv(65536)
        except BlockingIOError:  # not ready after all: wait for the next event
            return
        except OSError:  # refused, reset: whatever came before it is all there is
            chunk = b""
        self.received += chunk
        status = response_status(self.received, closed=not chunk)
        if status is None and chunk:
            return
        self.status = status or 0
        selector.unregister(self.sock)
        self.end()

    def end(self) -> None:
        if not self.done:
            self.done = True
            self.took_s = time.perf_counter() - self.started
            self.sock.close()


def response_status(received: bytes | bytearray, *, closed: bool) -> int | None:
    """The status of `received` once it is a whole HTTP response, else None (0 once the
    connection is `closed` on a response cut short or unreadable). A response is whole with its
    `Content-Length` bytes of body, its last chunk, or, without either, when the server closes."""
    head, found, body = bytes(received).partition(b"\r\n\r\n")
    if not found:
        return 0 if closed else None
    status_line, *header_lines = head.split(b"\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in header_lines)
    }
    if b"content-length" in headers:
        length = headers[b"content-length"]
        whole = length.isdigit() and len(body) >= int(length)
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        whole = body.endswith(b"0\r\n\r\n")
    else:
        whole = closed
    if not whole:
        return 0 if closed else None
    parts = status_line.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
