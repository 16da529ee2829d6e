"""Running the bot: HTTP mode (waitress WSGI) or Socket Mode.

HTTP mode serves Slack's commands, interactivity and events at `POST /slack/events` (the URL in
`manifest.yml`) and a health check at `GET /healthz`; with the OAuth settings also Bolt's install
pages, `GET /slack/install` and `GET /slack/oauth_redirect` (Bolt's WSGI adapter routes them).
Start-up refuses to run without the settings it needs, with a rejected token, or when Slack cannot
be reached, and says in one line what to check (exit 2 for settings, 3 for an unreachable
service), instead of failing later. Both modes also run housekeeping (`bot.housekeeping`) on a timer.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError
from waitress import create_server
from waitress.server import BaseWSGIServer

from bot import collector
from bot.db.health import DatabaseHealth
from bot.housekeeping import Housekeeping, default_jobs
from bot.i18n import Text, in_every_language
from bot.observability.admin import HEALTH_PATH, admin_app, is_admin_request, start_admin_server
from bot.queue import JobQueue
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack_clients import web_client
from handlers.app import LISTENER_THREADS, build_app
from handlers.install import INSTALL_PATH

EVENTS_PATH = "/slack/events"
SERVER_THREADS = 16
CONFIG_ERROR_EXIT = 2  # a setting is missing or rejected
UNREACHABLE_EXIT = 3  # Slack or the database cannot be reached
SLACK_SDK_LOGGER = "slack_sdk.web.base_client"  # logs each failed Web API call

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, settings: Settings, database: DatabaseHealth | None = None) -> WsgiApp:
    """Bolt's WSGI handler for Slack, plus the health check (and /metrics, when on here).

    `GET /healthz` answers 200 while `database` answers (without one: always), else 503 with the
    short reason."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    checks = [database.problem] if database is not None else []
    with_metrics = settings.kolbot_metrics and not settings.kolbot_metrics_port
    admin = admin_app(checks, {"mode": "http", "demo": settings.demo_mode}, with_metrics=with_metrics)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_admin_request(environ):
            return admin(environ, start_response)
        if not _timestamp_is_numeric(environ):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b""]
        return slack(environ, start_response)

    return application


def _timestamp_is_numeric(environ: dict[str, Any]) -> bool:
    """slack_sdk's signature check crashes (HTTP 500) on a non-numeric `X-Slack-Request-Timestamp`;
    such a request is simply unsigned. A missing header is left to Bolt, which answers 401."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    return timestamp is None or timestamp.strip().isdigit()


def make_server(
    settings: Settings,
    app: App,
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
    database: DatabaseHealth | None = None,
) -> BaseWSGIServer:
    """A waitress server for `app` (`port=0` picks a free port: see `.effective_port`); `/healthz`
    checks `database`."""
    # waitress warns "Task queue depth is N" for every request that waits for a thread: in a burst,
    # a log record per request, formatted on the thread that reads every connection.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(
        wsgi_app(app, settings, database),
        host=host,
        port=settings.port if port is None else port,
        threads=SERVER_THREADS,
        ident="kolbot",
    )
    assert isinstance(server, BaseWSGIServer)  # one host/port gives one server, not a multi-socket one
    return server


def serve(settings: Settings) -> None:
    """`kolbot serve`: HTTP mode on `HOST:PORT` until SIGTERM or Ctrl-C, then a graceful stop.

    Stopping closes the listening socket (requests already received still get their ack), gives
    queued work `KOLBOT_SHUTDOWN_GRACE_S` to finish, tells each user whose work did not finish,
    and exits 0.
    """
    require(settings.missing_for_http())
    services = serving_services(settings)
    app = checked_app(settings, services)
    database = DatabaseHealth(services.engine)
    try:
        server = make_server(settings, app, host=settings.host, database=database)
    except (OSError, ValueError) as err:  # port taken, address not on this host, a host name that is no host
        _cannot_listen(settings, err)
    stop_housekeeping = _start_housekeeping(settings, services)
    if settings.kolbot_metrics_port:
        start_admin_server(settings, [database.problem], {"mode": "http", "demo": settings.demo_mode})
    signal.signal(signal.SIGTERM, _interrupt)
    print(
        f"kolbot listening on {settings.host}:{server.effective_port}{EVENTS_PATH} (health: {HEALTH_PATH})",
        flush=True,
    )
    if settings.oauth_enabled:
        print(f"kolbot install page: {settings.host}:{server.effective_port}{INSTALL_PATH}", flush=True)
    server.run()  # returns on SIGTERM or Ctrl-C: waitress then waits for requests being handled
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the grace period below is the bound
    server.close()
    stop_housekeeping()
    grace = settings.kolbot_shutdown_grace_s
    print(f"kolbot stopping: no new requests; finishing queued work for up to {grace:g} s", flush=True)
    abandoned = services.workers.drain(grace)
    if abandoned:
        print(f"kolbot stopped: {abandoned} unfinished request(s), their users were told", flush=True)
        os._exit(0)  # the threads of the unfinished work would otherwise keep the process alive
    services.close()
    print("kolbot stopped", flush=True)


def serving_services(settings: Settings) -> Services:
    """Services for a process that serves Slack: with PostgreSQL it queues slow work for `kolbot
    worker` (`bot.queue`); with SQLite its own `WorkerPool` runs it."""
    # With the queue, listeners run on the server's threads (`process_before_response`); without
    # it, on Bolt's listener threads, and the work on `KOLBOT_WORKERS` more. One for housekeeping.
    threads = (
        SERVER_THREADS if settings.uses_queue else SERVER_THREADS + LISTENER_THREADS + settings.kolbot_workers
    )
    services = build_services(settings, db_threads=threads + 1)
    if settings.uses_queue:
        services.queue = JobQueue(settings, threads=SERVER_THREADS).open()
    return services


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM as Ctrl-C: waitress's loop stops on SystemExit and lets handled requests finish."""
    raise SystemExit(0)


def socket(settings: Settings) -> None:
    """`kolbot socket`: Socket Mode (no public URL needed) until interrupted."""
    require(settings.missing_for_socket())
    assert settings.slack_app_token is not None  # checked by require()
    app_token = settings.slack_app_token.get_secret_value()
    if not app_token.startswith("xapp-"):
        stop_start_up(
            Text(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → "
                "App-Level Tokens, scope connections:write), not a bot token"
            ),
        )
    services = serving_services(settings)
    handler = SocketModeHandler(checked_app(settings, services), app_token)
    stop_housekeeping = _start_housekeeping(settings, services)
    start_admin_server(settings, [DatabaseHealth(services.engine).problem], {"mode": "socket"})
    try:
        _connect(handler, settings)
        print("kolbot connected in Socket Mode (Ctrl-C to stop)", flush=True)
        threading.Event().wait()
    finally:
        stop_housekeeping()
        handler.close()


def _connect(handler: SocketModeHandler, settings: Settings) -> None:
    """Open the Socket Mode connection (`apps.connections.open`), or stop with one line saying why."""
    client = handler.client
    try:
        # The first URL is asked for here rather than in `connect()`, which would log its own
        # error line before ours; reconnections later ask for theirs as usual.
        with slack_sdk_quiet():
            client.wss_uri = client.web_client.apps_connections_open(app_token=client.app_token)["url"]
        handler.connect()
    except SlackApiError as err:
        code = err.response.get("error", "error")
        stop_start_up(
            # No parentheses around the message: Babel would not extract it, and zh would show English.
            Text(
                "Slack did not accept SLACK_APP_TOKEN (%(code)s); check the app-level token and that "
                "Socket Mode is on for the app",
                code=code,
            ),
        )
    except OSError as err:
        _slack_unreachable(settings, err)


def checked_app(settings: Settings, services: Services, *, for_worker: bool = False) -> App:
    """The app, or stop with one line when Slack rejects the bot token at start-up (`auth.test`)
    or cannot be reached (`serve`, `socket` and `worker` alike)."""
    # Bolt falls back to $SLACK_BOT_TOKEN on its own and warns that it ignores it when given a
    # client; kolbot has read it into `settings` already, so it leaves the environment.
    os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        with slack_sdk_quiet():  # Bolt's `auth.test`
            app = build_app(settings, services=services, for_worker=for_worker)
    except (BoltError, SlackApiError) as err:
        services.close()
        stop_start_up(
            Text("Slack did not accept SLACK_BOT_TOKEN (%(err)s); check the token", err=err),
        )
    except (OSError, SlackClientError) as err:
        services.close()
        _slack_unreachable(settings, err)
    collector.tune()  # start-up is over: what is alive now stays (serve, socket and worker alike)
    return app


def check_bot_token(settings: Settings) -> None:
    """`kolbot clock`'s start-up check of the one workspace's bot token (`auth.test`), as `serve` and
    `worker` check it through Bolt: a rejected token or an unreachable Slack stops with one line. With
    the OAuth settings there is no single token to check."""
    if not settings.slack_bot_token:
        return
    try:
        with slack_sdk_quiet():
            web_client(settings, settings.slack_bot_token.get_secret_value()).auth_test()
    except SlackApiError as err:
        code = err.response.get("error") if err.response is not None else None
        stop_start_up(
            Text("Slack did not accept SLACK_BOT_TOKEN (%(err)s); check the token", err=code or str(err))
        )
    except (OSError, SlackClientError) as err:
        _slack_unreachable(settings, err)


@contextmanager
def slack_sdk_quiet() -> Iterator[None]:
    """While start-up checks Slack: slack_sdk logs every failed attempt at ERROR and its retries at
    INFO, before kolbot's own one line (`stop_start_up`) says the same; those records are dropped.
    Only the start-up thread uses the WebClient then."""
    logger = logging.getLogger(SLACK_SDK_LOGGER)
    drop = _DropAll()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _slack_unreachable(settings: Settings, err: Exception) -> NoReturn:
    reason = str(getattr(err, "reason", None) or err)
    stop_start_up(
        Text(
            "cannot reach Slack at %(slack_api_url)s (%(reason)s); check the network, proxy and "
            "SLACK_API_URL",
            slack_api_url=settings.slack_api_url,
            reason=reason,
        ),
        UNREACHABLE_EXIT,
    )


def _cannot_listen(settings: Settings, err: Exception) -> NoReturn:
    reason = getattr(err, "strerror", None) or str(err)
    stop_start_up(
        Text(
            "cannot listen on %(host)s:%(port)s (%(reason)s); check HOST and PORT, or whether another "
            "process already uses that port",
            host=settings.host,
            port=settings.port,
            reason=reason,
        )
    )


def _start_housekeeping(settings: Settings, services: Services) -> Callable[[], None]:
    return Housekeeping(default_jobs(services)).start(settings.kolbot_housekeeping_interval_min * 60)


def require(missing: list[str]) -> None:
    """Stop start-up with one line listing every missing setting (exit code 2, no traceback)."""
    if missing:
        names = ", ".join(missing)
        stop_start_up(Text("set %(names)s (environment or .env)", names=names))


def stop_start_up(problem: Text, code: int = CONFIG_ERROR_EXIT) -> NoReturn:
    """Print one line, English then Chinese, naming what is wrong and what to check; exit `code`."""
    print(
        in_every_language(Text("kolbot cannot start: %(problem)s.", problem=problem)),
        file=sys.stderr,
        flush=True,
    )
    raise SystemExit(code)
