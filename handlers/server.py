"""Running the bot: HTTP mode (waitress WSGI) or Socket Mode.

HTTP mode serves Slack's commands, interactivity and events at `POST /slack/events` (the URL in
`manifest.yml`) and a health check at `GET /healthz`. Start-up refuses to run without the
settings it needs and says which ones to set, instead of failing later on the first request.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackClientError
from waitress import create_server
from waitress.server import BaseWSGIServer

from bot.observability.metrics import METRICS_PATH, metrics_wsgi_app, start_metrics_server
from bot.settings import Settings
from handlers.app import build_app

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 16
CONFIG_ERROR_EXIT = 2

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, settings: Settings) -> WsgiApp:
    """Bolt's WSGI handler for Slack, plus the health check (and /metrics, when on here)."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    health = json.dumps({"ok": True, "mode": "http", "demo": settings.demo_mode}).encode()
    prometheus = metrics_wsgi_app() if settings.kolbot_metrics and not settings.kolbot_metrics_port else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [health]
        if prometheus and environ.get("PATH_INFO") == METRICS_PATH:
            return prometheus(environ, start_response)
        return slack(environ, start_response)

    return application


def make_server(
    settings: Settings, app: App, *, host: str = "0.0.0.0", port: int | None = None
) -> BaseWSGIServer:
    """A waitress server for `app` (`port=0` picks a free port: see `.effective_port`)."""
    server = create_server(
        wsgi_app(app, settings),
        host=host,
        port=settings.port if port is None else port,
        threads=SERVER_THREADS,
        ident="kolbot",
    )
    assert isinstance(server, BaseWSGIServer)  # one host/port gives one server, not a multi-socket one
    return server


def serve(settings: Settings) -> None:
    """`kolbot serve`: HTTP mode until interrupted."""
    require(settings.missing_for_http())
    server = make_server(settings, _checked_app(settings))
    if settings.kolbot_metrics_port:
        start_metrics_server(settings)
    print(f"kolbot listening on :{server.effective_port}{EVENTS_PATH} (health: {HEALTH_PATH})", flush=True)
    server.run()


def socket(settings: Settings) -> None:
    """`kolbot socket`: Socket Mode (no public URL needed) until interrupted."""
    require(settings.missing_for_socket())
    assert settings.slack_app_token is not None  # checked by require()
    handler = SocketModeHandler(_checked_app(settings), settings.slack_app_token.get_secret_value())
    start_metrics_server(settings)
    print("kolbot connecting in Socket Mode", flush=True)
    handler.start()


def _checked_app(settings: Settings) -> App:
    """The app, or exit 2 with a message when Slack rejects the bot token at start-up (`auth.test`)."""
    try:
        return build_app(settings)
    except (BoltError, SlackClientError) as err:
        print(
            f"kolbot cannot start: Slack did not accept SLACK_BOT_TOKEN ({err}). Check the token.\n"
            f"kolbot 无法启动：Slack 不接受 SLACK_BOT_TOKEN（{err}）。请检查该令牌。",
            file=sys.stderr,
        )
        raise SystemExit(CONFIG_ERROR_EXIT) from None


def require(missing: list[str]) -> None:
    """Stop start-up with one message listing every missing setting (exit code 2, no traceback)."""
    if missing:
        names = ", ".join(missing)
        print(
            f"kolbot cannot start: set {names} (environment or .env).\n"
            f"kolbot 无法启动：请设置 {names}（环境变量或 .env 文件）。",
            file=sys.stderr,
        )
        raise SystemExit(CONFIG_ERROR_EXIT)
