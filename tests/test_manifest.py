"""`manifest.yml` asks for exactly the bot scopes the code's Web API calls need, and declares the
events kolbot handles and the OAuth redirect URL it serves.

The calls are found by scanning `bot/` and `handlers/` for slack_sdk `WebClient` method names and
resolving each to the Web API methods it calls (`files_upload_v2` is two). A new call without an
entry in `SCOPES` fails here: add the scopes Slack's docs list for the method (an empty set when
it needs none). Add future calls here, e.g. `views.publish` for an App Home.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from slack_bolt import App
from slack_sdk import WebClient

from bot.services import build_services
from bot.slack_clients import BOT_SCOPES
from handlers.app import build_app
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import oauth_settings

REPO = Path(__file__).resolve().parents[1]
HOST = "https://YOUR-HOST"

# Web API method -> the bot scopes it needs, as kolbot calls it.
SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    # Socket Mode: called with the app-level token, whose connections:write scope is not a bot scope.
    "apps.connections.open": set(),
    "auth.revoke": set(),
    "chat.getPermalink": set(),
    # chat:write.public: digests and deep-dives post in public channels kolbot has not joined.
    "chat.postMessage": {"chat:write", "chat:write.public"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    # Called on whatever channel a command came from: public, private, DM or group DM.
    "conversations.info": {"channels:read", "groups:read", "im:read", "mpim:read"},
    # Only after a worker died between posting and recording it: is the job's post already there
    # (bot.post_recovery)? In any conversation kolbot posts in.
    "conversations.history": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "conversations.replies": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "views.open": set(),
    "views.publish": set(),
    # Is the user a workspace admin or owner, who may set the TikHub budget (/kol budget)?
    "users.info": {"users:read"},
}
# Events -> the scope Slack needs to deliver them.
EVENT_SCOPES: dict[str, set[str]] = {
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "app_home_opened": set(),
}


@cache
def manifest() -> dict[str, Any]:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


def api_methods(client_method: str) -> set[str]:
    """The Web API methods one `WebClient` method calls (SDK helpers may call several)."""
    source = inspect.getsource(getattr(WebClient, client_method))
    methods = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for helper in re.findall(r"self\.(\w+)\(", source):
        if helper != client_method and helper in web_client_methods():
            methods |= api_methods(helper)
    return methods


@cache
def web_client_methods() -> frozenset[str]:
    return frozenset(n for n in vars(WebClient) if not n.startswith("_") and callable(getattr(WebClient, n)))


def called_methods() -> dict[str, set[str]]:
    """Web API method -> the source files that call it."""
    called: dict[str, set[str]] = {}
    for path in sorted([*REPO.glob("bot/**/*.py"), *REPO.glob("handlers/**/*.py")]):
        for name in set(re.findall(r"\.(\w+)\b", path.read_text())) & web_client_methods():
            for method in api_methods(name):
                called.setdefault(method, set()).add(str(path.relative_to(REPO)))
    return called


def handled_events() -> set[str]:
    source = (REPO / "handlers/events/__init__.py").read_text()
    return set(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', source))


def test_the_scan_finds_the_calls_it_is_meant_to() -> None:
    """Guards the scan itself: helpers resolve to their API methods, known calls are found."""
    assert api_methods("files_upload_v2") == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    called = called_methods()
    assert "bot/slack_io/digests.py" in called["chat.postMessage"]
    assert "bot/slack_io/shortlists.py" in called["conversations.info"]


def test_every_web_api_call_has_a_scope_entry() -> None:
    missing = {method: files for method, files in called_methods().items() if method not in SCOPES}
    assert missing == {}, "add these Web API methods to SCOPES with the scopes they need"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs() -> None:
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    needed = set().union(*(SCOPES[m] for m in called_methods()), *(EVENT_SCOPES[e] for e in events))
    if manifest()["features"].get("slash_commands"):
        needed.add("commands")
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_oauth_install_asks_for_the_manifests_scopes() -> None:
    assert list(BOT_SCOPES) == manifest()["oauth_config"]["scopes"]["bot"]


def test_the_manifest_declares_every_handled_event_and_only_those() -> None:
    declared = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert declared == handled_events()
    assert {"app_uninstalled", "tokens_revoked", "reaction_added", "reaction_removed"} <= declared


def test_the_manifests_urls_are_the_ones_the_app_serves(slack: FakeSlackApi) -> None:
    services = build_services(oauth_settings(slack))
    try:
        flow = build_app(services.settings, services=services).oauth_flow
    finally:
        services.close()
    assert flow is not None
    assert manifest()["oauth_config"]["redirect_urls"] == [f"{HOST}{flow.redirect_uri_path}"]
    assert manifest()["settings"]["event_subscriptions"]["request_url"] == f"{HOST}/slack/events"


def test_every_declared_event_reaches_a_listener(app: App, slack_requests: SlackRequests) -> None:
    """Bolt answers 404 to an event no listener takes; each declared event must get 200."""
    for event in [*manifest()["settings"]["event_subscriptions"]["bot_events"], "message"]:
        body = {"type": event, "user": "U1", "reaction": "eyes", "item": {"type": "file"}}
        status = app.dispatch(slack_requests.event(body).bolt()).status
        assert status == (404 if event == "message" else 200), (event, json.dumps(body))
