"""The one Bolt app factory, shared by HTTP mode, Socket Mode and the tests."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient

from bot.observability.trace import TracingExecutor
from bot.services import Services, build_services
from bot.settings import Settings
from handlers import register_listeners
from handlers.checked_respond import CheckResponses
from handlers.install import NOT_INSTALLED_MESSAGE, install_flow
from handlers.jobs import KeepRequest, PostOncePerJob
from handlers.middleware import HandleOnce, ProvideServices, StripControlCharacters
from handlers.observe import ObservedApp
from handlers.payloads import request_lang
from handlers.replies import failure_ack, send_failure

log = logging.getLogger(__name__)

# Listeners only parse and ack (slow work goes to `Services.workers`), but each one holds a thread
# until it has acked; Bolt's default 5 would make a burst of commands queue for their ack.
LISTENER_THREADS = 32


def build_app(
    settings: Settings,
    *,
    services: Services | None = None,
    client: WebClient | None = None,
    for_worker: bool = False,
) -> App:
    """A Bolt `App` with kolbot's middleware and listeners, wired to `services` (built if absent).

    With the queue (`services.queue`) Bolt answers Slack once the listener returned, so the job
    it queued is committed first (`handlers.jobs`). `for_worker`: the app a `kolbot worker` replays
    queued requests through (their signatures were checked when they arrived).

    With OAuth settings it serves many workspaces (Bolt's OAuth flow and installation-store
    authorize: each request's `context.client` carries its workspace's token); else one, with
    `SLACK_BOT_TOKEN`.
    """
    services = services or build_services(settings)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = ObservedApp(
        client=client or services.slack.app_client,
        signing_secret=secret,  # Bolt skips signature checks for Socket Mode requests
        logger=log,
        listener_executor=TracingExecutor(LISTENER_THREADS, thread_name_prefix="kolbot-listener"),
        process_before_response=services.queue is not None or for_worker,
        request_verification_enabled=not for_worker,
        **_install_options(services),
    )
    # Middleware classes, not functions: Bolt builds every listener argument for each function
    # middleware on each request, which cost more than the middleware's own work before an ack.
    app.use(StripControlCharacters())
    app.use(ProvideServices(services))
    if services.queue is not None and not for_worker:
        app.use(KeepRequest())
    app.use(HandleOnce())
    app.use(CheckResponses())
    app.use(PostOncePerJob())
    app.error(_answer_unhandled)
    register_listeners(app, command=settings.kolbot_command)
    return app


def _install_options(services: Services) -> dict[str, Any]:
    """Bolt's options for OAuth mode; none in single-token mode."""
    store = services.workspaces.installations
    if store is None:
        return {}
    return {
        "oauth_flow": install_flow(services),
        # The installation's token is checked with `auth.test` once, not before every ack: a token
        # is cached only while the store still returns it (uninstalls delete it, reinstalls get a new one).
        "authorize": InstallationStoreAuthorize(
            logger=log,
            installation_store=store,
            bot_only=True,
            cache_enabled=True,
            client=services.slack.app_client,
        ),
        "installation_store_bot_only": True,
        "user_facing_authorize_error_message": NOT_INSTALLED_MESSAGE,
    }


def _answer_unhandled(
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond | None,
    logger: logging.Logger,
    response: BoltResponse | None,
) -> BoltResponse | None:
    """Last resort for failures outside a listener's own handling (e.g. the database is down):
    the user is told, and Slack gets HTTP 200, never a 500 (`response` is None once acked)."""
    services: Services | None = context.get("services")
    lang = request_lang(services, body) if services else "en"
    if response is None:
        send_failure(respond, error, lang, logger)
        return None
    return BoltResponse(status=200, body=failure_ack(body, respond, error, lang, logger))
