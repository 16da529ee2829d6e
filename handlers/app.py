"""The one Bolt app factory, shared by HTTP mode, Socket Mode and the tests."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.observability.metrics import SlackErrorCounter
from bot.observability.trace import TracingExecutor
from bot.services import Services, build_services
from bot.settings import Settings
from handlers import register_listeners
from handlers.middleware import handle_once, provide_services
from handlers.observe import ObservedApp
from handlers.replies import Respond, send_failure

log = logging.getLogger(__name__)

# Listeners only parse and ack (slow work goes to `Services.workers`), but each one holds a thread
# until it has acked; Bolt's default 5 would make a burst of commands queue for their ack.
LISTENER_THREADS = 32


def make_web_client(settings: Settings) -> WebClient:
    """Bot-token client for `settings.slack_api_url`, retrying connection errors and 429s."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            SlackErrorCounter(),
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(
    settings: Settings, *, services: Services | None = None, client: WebClient | None = None
) -> App:
    """A Bolt `App` with kolbot's middleware and listeners, wired to `services` (built if absent)."""
    services = services or build_services(settings)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = ObservedApp(
        client=client or make_web_client(settings),
        signing_secret=secret,  # Bolt skips signature checks for Socket Mode requests
        logger=log,
        listener_executor=TracingExecutor(LISTENER_THREADS, thread_name_prefix="kolbot-listener"),
    )
    app.use(provide_services(services))
    app.use(handle_once)
    app.error(_answer_unhandled)
    register_listeners(app, command=settings.kolbot_command)
    return app


def _answer_unhandled(
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond | None,
    logger: logging.Logger,
) -> None:
    """Last resort for failures outside a listener's own handling (e.g. the database is down)."""
    services: Services | None = context.get("services")
    text = str(body.get("text") or "")
    lang = services.lang_for(text) if services else "en"
    send_failure(respond, error, lang, logger)
