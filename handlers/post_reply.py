"""Replying to clicks that carry no response_url (the Home tab, global shortcuts)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

_CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class PostReply:
    """A `respond` for clicks without a response_url: in-channel messages go to `channel`,
    ephemeral ones (and anything the bot may not post in `channel`) to the user's DM."""

    def __init__(self, client: WebClient, channel: str, user_id: str) -> None:
        self._client, self._channel, self._user = client, channel, user_id

    def __call__(self, *, text: str, blocks: list[dict[str, Any]] | None = None, **options: Any) -> None:
        if options.get("response_type") != "ephemeral":
            try:
                self._client.chat_postMessage(channel=self._channel, text=text, blocks=blocks)
                return
            except SlackApiError as err:
                if err.response.get("error") not in _CANNOT_POST:
                    raise
        self._client.chat_postMessage(channel=self._user, text=text, blocks=blocks)
