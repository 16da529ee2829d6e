"""A TCP path to a server that a test can cut as a broken network does: packets dropped, nothing
refused or reset (what a NAT that forgot a connection, or a firewall, does to it).

The path runs through a veth pair into a network namespace of its own: a proxy
(`tests.fakes.tcp_proxy`) listens on the namespace's side and passes each connection on to the
server. `sever()` takes the namespace's end of the link down, so what the client sends is lost
and never acknowledged (the proxy's own `silence()` cannot do that: its kernel still acknowledges
what it is sent); `mend()` brings it back.
It needs root and iproute2 (`ip netns`, veth), as a CI machine of this project has; without them
the test using it is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fakes.tcp_proxy import SilentableProxy

_CLONE_NEWNET = 0x40000000


@dataclass
class SeverablePath:
    host: str
    port: int
    _namespace: str
    _inner: str  # the namespace's end of the veth pair
    _outer: str

    def sever(self) -> None:
        _ip("netns", "exec", self._namespace, "ip", "link", "set", self._inner, "down")

    def mend(self, timeout: float = 10) -> None:
        """Brings the link back up, and returns once a connection gets through it again (the link
        has its carrier, and the server's side its address resolved anew)."""
        _ip("netns", "exec", self._namespace, "ip", "link", "set", self._inner, "up")
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no connection through {self._outer} after {timeout} s") from None
                time.sleep(0.01)


@contextlib.contextmanager
def severable_path(server: tuple[str, int]) -> Iterator[SeverablePath]:
    """A path to `server` (host, port) through a network namespace made for it, removed after."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("a severable network path needs root and iproute2 (ip netns, veth)")
    n = random.randrange(1, 255)
    namespace, inner, outer, net = f"kbsev{n}", f"kbsev{n}i", f"kbsev{n}o", f"10.254.{n}"
    try:
        _ip("netns", "add", namespace)
    except subprocess.CalledProcessError as error:
        pytest.skip(f"cannot make a network namespace here: {error.stderr.strip()}")
    proxy: SilentableProxy | None = None
    try:
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", namespace)
        _ip("addr", "add", f"{net}.1/30", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("netns", "exec", namespace, "ip", "addr", "add", f"{net}.2/30", "dev", inner)
        _ip("netns", "exec", namespace, "ip", "link", "set", inner, "up")
        proxy = SilentableProxy(server, listener=_listen_in(namespace, f"{net}.2"))
        path = SeverablePath(proxy.host, proxy.port, namespace, inner, outer)
        path.mend()
        yield path
    finally:
        if proxy is not None:
            proxy.close()
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)  # takes the veth pair with it
        subprocess.run(["ip", "link", "del", outer], capture_output=True)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _listen_in(namespace: str, host: str) -> socket.socket:
    """A listening socket in `namespace`, made by a thread that enters it (`setns` moves only the
    calling thread) and then ends; the socket stays in the namespace it was made in."""
    made: list[socket.socket | BaseException] = []

    def make() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
            try:
                if libc.setns(fd, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            made.append(socket.create_server((host, 0)))
        except BaseException as error:
            made.append(error)

    thread = threading.Thread(target=make)
    thread.start()
    thread.join()
    if isinstance(made[0], BaseException):
        raise made[0]
    return made[0]
