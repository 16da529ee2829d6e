"""OAuth install for many workspaces: Bolt's own flow (`GET /slack/install`, `GET /slack/oauth_redirect`)
with kolbot's stores (`bot.installations`), bilingual result pages, and two additions:

- An Enterprise Grid org-wide install (`is_enterprise_install`) is refused with a page that says to
  install kolbot to each workspace: the clock and every stored row work per workspace. Its token
  is revoked and nothing is stored.
- A workspace that installs again within the retention period keeps its data and its digests resume.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.exc import SQLAlchemyError

from bot.i18n import LANGS, Text, tr
from bot.services import Services
from bot.slack_clients import BOT_SCOPES
from bot.workspaces import WorkspaceService

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"  # `manifest.yml`'s redirect URL

# Shown in Slack by Bolt when a request comes from a workspace with no installation.
# Bolt shows it before kolbot knows the user's language: both languages, one per line.
NOT_INSTALLED_MESSAGE = "\n".join(
    tr(
        lang,
        "kolbot is not installed in this workspace (or was removed). Ask a Slack admin to install it "
        "again from the kolbot install page (`/slack/install` on kolbot's server); org-wide "
        "Enterprise Grid installs are not supported, install it to each workspace.",
    )
    for lang in LANGS
)
_FAILURES = {
    "access_denied": Text("The install was cancelled."),
    "invalid_state": Text("This install link has expired or was already used."),
    "invalid_browser": Text("Finish the install in the browser where you started it."),
    "storage_error": Text(
        "kolbot could not save the install: its database is unavailable. Try again in a minute."
    ),
}


class InstallFlow(OAuthFlow):
    """Bolt's OAuth flow; refuses org-wide installs and tells kolbot a workspace (re)installed."""

    def __init__(self, settings: OAuthSettings, workspaces: WorkspaceService) -> None:
        super().__init__(settings=settings, logger=log)
        self._workspaces = workspaces

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        if installation.is_enterprise_install:
            log.warning("org-wide install refused for enterprise %s", installation.enterprise_id)
            self._revoke(installation.bot_token)
            return
        try:
            super().store_installation(request, installation)
            if installation.team_id:
                self._workspaces.installed(installation.team_id)
        except SQLAlchemyError as err:  # Bolt answers a BoltError with the failure page
            log.error("could not store the install of %s: %s", installation.team_id, type(err).__name__)
            raise BoltError("storage_error") from err

    def _revoke(self, token: str | None) -> None:
        try:
            if token:
                self.client.auth_revoke(token=token)
        except SlackClientError as err:
            log.warning("could not revoke the refused org-wide install's token: %s", type(err).__name__)


def install_flow(services: Services) -> InstallFlow:
    """The flow for `App(oauth_flow=…)`; the app gives it its client (Slack API URL, retries)."""
    settings, workspaces = services.settings, services.workspaces
    assert settings.slack_client_secret is not None and workspaces.installations is not None  # OAuth mode
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=workspaces.installations,
        installation_store_bot_only=True,
        state_store=workspaces.states,
        callback_options=CallbackOptions(success=_success_page, failure=_failure_page),
        logger=log,
    )
    return InstallFlow(oauth, workspaces)


def _success_page(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    if installation.is_enterprise_install:
        return _page(
            args,
            200,
            Text(
                "kolbot cannot be installed for a whole Enterprise Grid organization. Nothing was installed: "
                "install it to each workspace instead (choose a workspace, not the organization)."
            ),
        )
    team = installation.team_name or installation.team_id or ""
    return _page(
        args,
        200,
        Text(
            "kolbot is installed in %(team)s. In Slack, type %(command)s help in a channel to start.",
            team=team,
        ),
        link=f"slack://app?team={installation.team_id}&id={installation.app_id}",
    )


def _failure_page(args: FailureArgs) -> BoltResponse:
    log.warning("OAuth install failed: %s", args.reason)
    what = _FAILURES.get(args.reason, Text("The install did not finish (%(reason)s).", reason=args.reason))
    install = args.settings.install_path
    return _page(
        args,
        args.suggested_status_code,
        Text("%(what)s Start again from %(install)s.", what=what, install=install),
    )


def _page(
    args: SuccessArgs | FailureArgs, status: int, message: Text, *, link: str | None = None
) -> BoltResponse:
    """A small HTML page in every language (the browser's user is not known yet); the one-use state
    cookie is cleared."""
    paragraphs = "".join(f"<p>{escape(tr(lang, message))}</p>" for lang in LANGS)
    label = " / ".join(tr(lang, "Open Slack") for lang in LANGS)
    open_slack = f'<p><a href="{escape(link)}">{escape(label)}</a></p>' if link else ""
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>kolbot</title></head><body>'
        f"{paragraphs}{open_slack}</body></html>"
    )
    headers: dict[str, str | Sequence[str]] = {
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
    }
    return BoltResponse(status=status, body=body, headers=headers)
