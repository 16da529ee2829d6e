"""Correctly signed Slack requests (slash commands, block actions, view submissions, shortcuts, events).

`SlackRequests(secret, response_url=...)` builds a `SignedRequest`: the raw body and headers
exactly as Slack would send them (HMAC-SHA256 `v0` signature over `v0:{ts}:{body}`). Dispatch it
in-process with `app.dispatch(req.bolt())`, or POST `req.body` with `req.headers` over HTTP.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID

USER_ID = "U0MARKETER"
CHANNEL_ID = "C0CAMPAIGN"
APP_ID = "A0KOLBOT"
FORM = "application/x-www-form-urlencoded"

_ids = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{int(time.time())}.{next(_ids):06d}"


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]

    def bolt(self) -> BoltRequest:
        return BoltRequest(body=self.body, headers=dict(self.headers))

    def retried(self, num: int = 1, reason: str = "http_timeout") -> SignedRequest:
        """The same delivery again, as Slack retries it."""
        extra = {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}
        return replace(self, headers={**self.headers, **extra})

    def tampered(self) -> SignedRequest:
        """Same body, a signature made with another secret."""
        return replace(self, headers={**self.headers, "X-Slack-Signature": "v0=" + "0" * 64})


class SlackRequests:
    """Builds signed requests for one workspace/user/channel."""

    def __init__(
        self,
        signing_secret: str,
        *,
        response_url: str,
        team_id: str = TEAM_ID,
        user_id: str = USER_ID,
        channel_id: str = CHANNEL_ID,
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.response_url, self.team_id, self.user_id, self.channel_id = (
            response_url,
            team_id,
            user_id,
            channel_id,
        )

    def sign(self, body: str, content_type: str, *, timestamp: int | None = None) -> SignedRequest:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=ts, body=body),
        }
        return SignedRequest(body, headers)

    def command(
        self,
        text: str,
        *,
        command: str = "/kol",
        team_id: str | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        form = {
            "token": "legacy-verification-token",
            "team_id": team_id or self.team_id,
            "team_domain": "kolbot-test",
            "channel_id": self.channel_id,
            "channel_name": "campaign",
            "user_id": self.user_id,
            "user_name": "marketer",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "response_url": self.response_url,
            "trigger_id": trigger_id or _unique("trig"),
        }
        return self.sign(urlencode(form), FORM, timestamp=timestamp)

    def block_action(
        self,
        action: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        team_id: str | None = None,
        trigger_id: str | None = None,
        clicked_at: float | None = None,
    ) -> SignedRequest:
        """A click on `action` (see `button()` / `select()`), on `message` when given; `clicked_at`:
        the click's `action_ts` (Slack's time of the click), else now."""
        team = team_id or self.team_id
        message = {"type": "message", "ts": "1700000000.000001", "text": "", "blocks": [], **(message or {})}
        payload = {
            "type": "block_actions",
            "user": {"id": self.user_id, "username": "marketer", "team_id": team},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": self.channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id or _unique("trig"),
            "team": {"id": team, "domain": "kolbot-test"},
            "channel": {"id": self.channel_id, "name": "campaign"},
            "message": message,
            "response_url": self.response_url,
            "actions": [{**action, "action_ts": _unique("") if clicked_at is None else f"{clicked_at:.6f}"}],
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        private_metadata: str = "",
        response_urls: list[dict[str, str]] | None = None,
        title: str = "kolbot",
    ) -> SignedRequest:
        """A modal submitted; `response_urls` as Slack sends them for `response_url_enabled` pickers."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "kolbot-test"},
            "user": {"id": self.user_id, "username": "marketer", "team_id": self.team_id},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": _unique("trig"),
            "view": {
                "id": _unique("V"),
                "type": "modal",
                "callback_id": callback_id,
                "title": {"type": "plain_text", "text": title},
                "private_metadata": private_metadata,
                "state": {"values": values},
            },
            "response_urls": response_urls or [],
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def shortcut(self, callback_id: str) -> SignedRequest:
        """A global shortcut (no channel, no response_url)."""
        payload = {
            "type": "shortcut",
            "token": "legacy-verification-token",
            "action_ts": _unique(""),
            "team": {"id": self.team_id, "domain": "kolbot-test"},
            "user": {"id": self.user_id, "username": "marketer", "team_id": self.team_id},
            "callback_id": callback_id,
            "trigger_id": _unique("trig"),
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def home_action(self, action: dict[str, Any]) -> SignedRequest:
        """A click on the App Home tab: a view container, no channel, no response_url."""
        payload = {
            "type": "block_actions",
            "user": {"id": self.user_id, "username": "marketer", "team_id": self.team_id},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": "VHOME"},
            "trigger_id": _unique("trig"),
            "team": {"id": self.team_id, "domain": "kolbot-test"},
            "view": {"id": "VHOME", "type": "home", "callback_id": "", "state": {"values": {}}},
            "actions": [{**action, "action_ts": _unique("")}],
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def home_opened(self, tab: str = "home") -> SignedRequest:
        """The `app_home_opened` event for this user."""
        event = {"type": "app_home_opened", "user": self.user_id, "channel": "D0KOLBOT", "tab": tab}
        return self.event({**event, "event_ts": _unique("")})

    def event(self, event: dict[str, Any], *, event_id: str | None = None) -> SignedRequest:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _unique("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        return self.sign(json.dumps(envelope), "application/json")


def button(action_id: str, value: str, text: str = "Go") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": f"b_{action_id}",
        "text": {"type": "plain_text", "text": text},
        "value": value,
    }


def select(action_id: str, value: str, text: str = "Option") -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": action_id,
        "block_id": f"b_{action_id}",
        "selected_option": {"text": {"type": "plain_text", "text": text}, "value": value},
    }
