"""The one factory for Slack Web API clients: every call uses the bot token of the workspace it acts for.

Single-token mode (`SLACK_BOT_TOKEN`): every workspace gets that token (there is one). OAuth mode:
the workspace's bot token from the installation store (decrypted on read). Listeners need no
lookup: Bolt's authorize has already put the installation's token on `context.client`; the clock
and other work without a Slack request ask `for_workspace(team_id)`.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.installations import EncryptedInstallationStore
from bot.observability.metrics import SlackErrorCounter, api_method
from bot.post_once import POSTING, current_run, once_client
from bot.settings import Settings

RATE_LIMIT_RETRIES = 3
# The bot scopes kolbot asks for: `manifest.yml` and the OAuth install must agree, and
# `tests/test_manifest.py` checks that the code's Web API calls need exactly these.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "reactions:read",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "users:read",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
)
NOT_INSTALLED = "not_installed"  # the `SlackApiError`-like code for a workspace without a token


class NotInstalled(Exception):
    """No bot token for the workspace: kolbot was removed from it, or never installed there."""

    code = NOT_INSTALLED

    def __init__(self, team_id: str) -> None:
        super().__init__(f"kolbot is not installed in workspace {team_id}")
        self.team_id = team_id


class ServerErrorRetryExceptPosts(ServerErrorRetryHandler):
    """Slack's 500/503 tried once more, except for a call that posts (`bot.post_once.POSTING`):
    Slack may have posted before it failed, and a second try inside the one call would post twice
    where the post ledger cannot see it (a job run again looks for the post instead)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return api_method(request) not in POSTING and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


def web_client(settings: Settings, token: str | None) -> WebClient:
    """A client for `SLACK_API_URL` with `token`, retrying connection errors, HTTP 429s and (once)
    Slack's own 5xx answers to calls that do not post, which a moment later usually succeed."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            SlackErrorCounter(),  # first: it sees every response, and never retries
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryExceptPosts(),
        ],
    )


class SlackClients:
    def __init__(self, settings: Settings, installations: EncryptedInstallationStore | None = None) -> None:
        self._settings, self._installations = settings, installations
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        # Single-token mode's client; in OAuth mode a token-less template (Bolt copies its settings
        # into each request's client and sets that installation's token).
        self._app_client = web_client(settings, None if installations else token)

    @property
    def app_client(self) -> WebClient:
        """The client the Bolt app is built with."""
        return self._app_client

    def for_workspace(self, team_id: str) -> WebClient:
        """A client with the bot token of workspace `team_id` (within a queued job, one that posts
        each message once: `bot.post_once`); raises `NotInstalled`."""
        client = self._app_client if self._installations is None else self._installed(team_id)
        run = current_run()
        return client if run is None else once_client(client, run)

    def _installed(self, team_id: str) -> WebClient:
        bot = self._installations.find_bot_for_team(team_id) if self._installations else None
        if bot is None:
            raise NotInstalled(team_id)
        return web_client(self._settings, bot.bot_token)
