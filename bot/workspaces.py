"""A workspace's life with kolbot (OAuth install or single token): installed, removed, forgotten.

Removing kolbot (`app_uninstalled`, or its bot token revoked) deletes the installation (OAuth
mode), pauses the workspace's digests and starts the retention period; its searches, shortlists
and digests are deleted `KOLBOT_RETENTION_DAYS` later by the clock's housekeeping. Installing
again before then keeps the data and resumes the digests the removal paused.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.digests.models import SLACK_PREFIX
from bot.digests.service import DigestService
from bot.installations import EncryptedInstallationStore, SignedStateStore
from bot.store.workspaces import UninstalledWorkspaces, purge_expired_workspaces

log = logging.getLogger(__name__)

UNINSTALLED = f"{SLACK_PREFIX}app_uninstalled"  # the pause reason of a removed workspace's digests


class WorkspaceService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        digests: DigestService,
        *,
        retention: timedelta,
        installations: EncryptedInstallationStore | None = None,
        states: SignedStateStore | None = None,
    ) -> None:
        self._sessions, self._digests, self._retention = sessions, digests, retention
        self._marks = UninstalledWorkspaces(sessions)
        self.installations, self.states = installations, states

    def installed(self, team_id: str) -> None:
        """Installed (again): cancel a pending purge and resume what the removal paused."""
        if self._marks.clear(team_id):
            resumed = self._digests.resume_workspace(team_id, UNINSTALLED)
            log.info("workspace %s installed again: %d digest(s) resumed", team_id, len(resumed))

    def uninstalled(self, team_id: str, enterprise_id: str | None) -> None:
        """kolbot was removed (or its bot token revoked): forget the token, stop posting."""
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self._marks.mark(team_id, enterprise_id, datetime.now(UTC))
        paused = self._digests.pause_workspace(team_id, UNINSTALLED)
        log.info("workspace %s removed kolbot: %d digest(s) paused", team_id, len(paused))

    def housekeeping(self, now: datetime | None = None) -> list[str]:
        """Delete the data of workspaces removed longer ago than the retention and expired OAuth
        states; re-encrypt tokens still under an older `KOLBOT_SECRET_KEY` key. Returns the
        purged workspaces."""
        purged = purge_expired_workspaces(self._sessions, self._retention, now=now)
        if purged:
            log.info("deleted the data of %d removed workspace(s): %s", len(purged), ", ".join(purged))
        if self.states is not None:
            self.states.prune(now)
        if self.installations is not None and (rotated := self.installations.rotate_keys()):
            log.info("re-encrypted %d stored Slack token(s) with the first KOLBOT_SECRET_KEY key", rotated)
        return purged
