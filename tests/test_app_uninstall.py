"""Single-token mode (one workspace) also handles its removal: `app_uninstalled` pauses the
workspace's digests and starts the retention period, with no installation store to touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_bolt import App

from bot.digests.models import DigestStatus
from bot.services import Services
from tests.fakes.signing import CHANNEL_ID, SlackRequests
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import eventually


def test_uninstall_pauses_digests_and_the_data_goes_after_retention(
    app: App, services: Services, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    assert services.workspaces.installations is None
    assert app.dispatch(slack_requests.command('digest add "skincare" daily 09:30').bolt()).status == 200
    [digest] = services.digests.channel(TEAM_ID, CHANNEL_ID).digests
    assert app.dispatch(slack_requests.event({"type": "app_uninstalled"}).bolt()).status == 200
    eventually(lambda: services.digests.show(TEAM_ID, digest.short_id).digest.status is DigestStatus.PAUSED)
    assert services.workspaces.housekeeping(datetime.now(UTC) + timedelta(days=31)) == [TEAM_ID]
    assert services.digests.channel(TEAM_ID, CHANNEL_ID).digests == []
