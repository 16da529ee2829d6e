"""`GET /healthz` (and `/metrics`) on a port of their own: `KOLBOT_METRICS_PORT`.

`kolbot worker` and `kolbot clock` have no Slack app to answer on, so a process supervisor or a
Kubernetes probe could only see that they exist. Here each process names what it needs to be doing
its work (the database answers, the worker's event loop turns, the clock's tick is not stuck) as
checks; `/healthz` answers 200 while every check passes, else 503 naming the first that fails.
`kolbot serve` answers the same way on its own port (`handlers.server`).

Served by waitress, as `kolbot serve` is: prometheus_client's own server answers every path with
the metrics, so a probe of `/healthz` there would pass whatever the process was doing.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bot.observability.metrics import METRICS_PATH, metrics_wsgi_app
from bot.settings import Settings

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
ADMIN_THREADS = 2  # probes and scrapes: a few a minute

Check = Callable[[], str | None]  # None while healthy, else a short reason (no URL, no SQL)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def is_admin_request(environ: Mapping[str, Any]) -> bool:
    """A health probe or a scrape: what `admin_app` answers (another port's app has the rest)."""
    path = environ.get("PATH_INFO")
    return path == METRICS_PATH or (path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"))


def admin_app(checks: Sequence[Check], about: Mapping[str, object], *, with_metrics: bool) -> WsgiApp:
    """`/healthz`, `/metrics` when `with_metrics`, 404 for anything else. `/healthz` answers 200
    while every check passes, else 503 with the first failing check's reason."""
    prometheus = metrics_wsgi_app() if with_metrics else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            problem = next((p for p in (check() for check in checks) if p is not None), None)
            answer = {"ok": problem is None, **about, **({"problem": problem} if problem else {})}
            status = "200 OK" if problem is None else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [json.dumps(answer).encode()]
        if prometheus is not None and environ.get("PATH_INFO") == METRICS_PATH:
            return prometheus(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return application


class AdminServer:
    """A waitress server on a daemon thread; `port` is the one it listens on."""

    def __init__(self, app: WsgiApp, host: str, port: int) -> None:
        from waitress.server import create_server

        # waitress warns "Task queue depth" for each probe that waits for a thread (a slow database)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server = create_server(app, host=host, port=port, threads=ADMIN_THREADS, ident="kolbot")
        self.port = int(self._server.effective_port)  # waitress gives the port as it was written
        self._thread = threading.Thread(target=self._server.run, name="admin-http", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stops listening; closed from the server's own loop thread (closing its socket from
        another thread would pull it from under the loop's `select`), which then ends."""
        self._server.trigger.pull_trigger(self._server.close)
        self._thread.join(timeout=5)
        self._server.task_dispatcher.shutdown()


def start_admin_server(
    settings: Settings,
    checks: Sequence[Check],
    about: Mapping[str, object],
    *,
    host: str | None = None,
    port: int | None = None,
) -> AdminServer | None:
    """`/healthz` and `/metrics` for a process with no web app of its own: on `KOLBOT_METRICS_PORT`
    when it is set, else on `PORT` when `KOLBOT_METRICS=on` (as `/metrics` alone was before);
    otherwise nothing is served and None is returned. A port already in use is logged as an error
    and the process runs on without it. `host`, `port` (tests): these instead, port 0 for any free one."""
    chosen = next((p for p in (port, settings.kolbot_metrics_port) if p is not None), None)
    if chosen is None and settings.kolbot_metrics:
        chosen = settings.port
    if chosen is None:
        return None
    app = admin_app(checks, about, with_metrics=settings.kolbot_metrics)
    try:
        server = AdminServer(app, host or settings.host, chosen)
    except OSError as err:  # health and metrics must not keep the process itself from working
        log.error(
            "%s not served: port %d is unavailable (%s); set KOLBOT_METRICS_PORT to a free port, not PORT's",
            _paths(settings),
            chosen,
            err,
        )
        return None
    log.info("%s on :%d", _paths(settings), server.port)
    return server


def _paths(settings: Settings) -> str:
    return f"{HEALTH_PATH} and {METRICS_PATH}" if settings.kolbot_metrics else HEALTH_PATH
