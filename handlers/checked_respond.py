"""A `respond` that notices when Slack refuses a response_url message.

Slack answers a response_url post with a status and a one-word reason, and Bolt's `Respond`
returns that answer without raising: a results card Slack rejected, or an answer to a form
submitted after its URL expired (30 minutes, five uses), vanished without a trace. Here the
refusal is logged with Slack's reason; a card Slack finds malformed or too long is sent again as
its text alone (every kolbot message has a complete text); and a URL that expired or was used up
has the message posted to the user privately instead (`chat.postEphemeral` in the channel, else
the user's DM with kolbot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookResponse

from handlers.middleware import Next

log = logging.getLogger(__name__)

_BAD_CARD = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks"})
_URL_GONE = frozenset({"expired_url", "used_url", "invalid_url"})


class CheckedRespond(Respond):
    """Bolt's `Respond`, checking Slack's answer (see the module docstring). `client`, `channel_id`
    and `user_id` reach the user when the URL no longer works; without them the refusal is logged."""

    def __init__(
        self,
        *,
        response_url: str | None,
        client: WebClient | None = None,
        channel_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        super().__init__(response_url=response_url)
        self._client, self._channel_id, self._user_id = client, channel_id, user_id

    def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", blocks: Sequence[dict[str, Any]] | None = None, **kwargs: Any
    ) -> WebhookResponse:
        if isinstance(text, dict):  # a whole message: its parts, so a refusal can fall back on them
            message = dict(text)
            text, blocks, kwargs = (
                str(message.pop("text", "")),
                message.pop("blocks", blocks),
                {**message, **kwargs},
            )
        answer = super().__call__(text, blocks, **kwargs)
        if answer.status_code == 200:
            return answer
        reason = (answer.body or "").strip()[:80]
        log.warning("Slack refused a response_url message: HTTP %s %s", answer.status_code, reason)
        if blocks and reason in _BAD_CARD:
            if kwargs.get("replace_original"):  # its text as a message of its own, not over a card that works
                kwargs = {**kwargs, "replace_original": False, "response_type": "ephemeral"}
            return super().__call__(text, None, **kwargs)
        if reason in _URL_GONE or answer.status_code == 404:
            self._post_privately(text, blocks)
        return answer

    def _post_privately(self, text: str, blocks: Sequence[dict[str, Any]] | None) -> None:
        client, channel, user = self._client, self._channel_id, self._user_id
        if client is None or not user:
            return
        message: dict[str, Any] = {"text": text, "blocks": list(blocks) if blocks else None}
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user, **message)
                return
        except SlackApiError as err:
            log.info(
                "could not answer privately in %s (%s): writing to the user's DM",
                channel,
                err.response.get("error"),
            )
        try:
            client.chat_postMessage(channel=user, **message)
        except SlackApiError as err:
            log.warning(
                "could not reach the user after an expired response_url (%s)", err.response.get("error")
            )


def checked_respond(
    context: BoltContext, response_url: str | None, *, channel_id: str | None = None
) -> CheckedRespond:
    """A respond to `response_url` that reaches the request's user when it fails; `channel_id`:
    where the answer belongs when the request has no channel of its own (a form's submission)."""
    return CheckedRespond(
        response_url=response_url,
        client=context.client,
        channel_id=channel_id or context.channel_id,
        user_id=context.user_id,
    )


class CheckResponses(Middleware):
    """Every listener's `respond` is a `CheckedRespond`."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        context = req.context
        if context.respond is not None:
            context["respond"] = checked_respond(context, context.response_url)
        return next()
