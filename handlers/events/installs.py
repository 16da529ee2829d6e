"""kolbot removed from a workspace: `app_uninstalled`, or `tokens_revoked` naming the bot's token.

Either way the workspace's installation is deleted, its digests pause and its data is kept for
`KOLBOT_RETENTION_DAYS` (`bot.workspaces`). Revoked user tokens alone change nothing: kolbot
asks for none. Bolt runs these without authorizing (the token is already gone).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.services import Services


def app_uninstalled(context: BoltContext) -> None:
    _removed(context)


def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
    if (event.get("tokens") or {}).get("bot"):
        _removed(context)


def _removed(context: BoltContext) -> None:
    services: Services = context["services"]
    if context.team_id:
        services.workspaces.uninstalled(context.team_id, context.enterprise_id)
