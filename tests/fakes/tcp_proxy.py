"""A TCP proxy a test can make go silent: a database host that stops answering, without a refusal."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class SilentableProxy:
    """Forwards 127.0.0.1:`port` to `upstream` until `silence()`; from then on nothing goes either
    way and new connections are accepted but never answered, as when a host drops off the network."""

    def __init__(self, upstream: tuple[str, int], listener: socket.socket | None = None) -> None:
        """`listener`: where to accept connections (its address in `host`, `port`); by default a new
        one on 127.0.0.1."""
        self._upstream = upstream
        self._listener = listener or socket.create_server(("127.0.0.1", 0))
        self.host: str = self._listener.getsockname()[0]
        self.port: int = self._listener.getsockname()[1]
        self._silent = threading.Event()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def silence(self) -> None:
        self._silent.set()

    def _keep(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client = self._keep(self._listener.accept()[0])
            except OSError:
                return
            if self._silent.is_set():
                continue  # held open, never answered
            server = self._keep(socket.create_connection(self._upstream))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if self._silent.is_set():
                    self._closed.wait()  # swallowed: the far end never hears of it
                    return
                target.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            for sock in [self._listener, *self._sockets]:
                sock.close()

    def __enter__(self) -> SilentableProxy:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()
