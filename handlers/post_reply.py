"""Replying to clicks that carry no response_url (the Home tab, global shortcuts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block

_CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class PostReply(Respond):
    """A `respond` for clicks without a response_url: in-channel messages go to `channel`,
    ephemeral ones (and anything the bot may not post in `channel`) to the user's DM."""

    def __init__(self, client: WebClient, channel: str, user_id: str) -> None:
        super().__init__(response_url=None)
        self._client, self._channel, self._user = client, channel, user_id

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Any:
        shown = text if isinstance(text, str) else str(text.get("text", ""))
        if response_type != "ephemeral":
            try:
                self._client.chat_postMessage(channel=self._channel, text=shown, blocks=blocks)
                return None
            except SlackApiError as err:
                if err.response.get("error") not in _CANNOT_POST:
                    raise
        self._client.chat_postMessage(channel=self._user, text=shown, blocks=blocks)
        return None
