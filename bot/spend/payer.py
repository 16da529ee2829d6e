"""Who pays for the paid TikHub calls made on this thread: a workspace, a user and a feature.

The payer is set where all three are known (a Slack request after its ack, a digest run) and read
where a paid call is about to be made (`TikHubClient`), however deep in between. A context
variable carries it; thread pools that fan work out (search pages, deep-dive parts, MCN lookups)
are `bot.observability.trace.TracingExecutor`s, which run each task in the submitter's context, so
their threads see the caller's payer.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum


class Feature(StrEnum):
    SEARCH = "search"
    DEEP_DIVE = "deep-dive"
    DIGESTS = "digests"
    AUDIENCE = "audience"  # the audience screen of a search
    OTHER = "other"  # a paid call made outside any Slack request (e.g. `kolbot search`)


@dataclass(frozen=True)
class Payer:
    team_id: str
    user_id: str
    feature: Feature


UNATTRIBUTED = Payer("", "", Feature.OTHER)

_payer: contextvars.ContextVar[Payer | None] = contextvars.ContextVar("kolbot_payer", default=None)


def current_payer() -> Payer | None:
    return _payer.get()


@contextmanager
def paying(payer: Payer) -> Iterator[Payer]:
    """Paid calls inside this block are charged to `payer`."""
    token = _payer.set(payer)
    try:
        yield payer
    finally:
        _payer.reset(token)


@contextmanager
def paying_for(feature: Feature) -> Iterator[None]:
    """Paid calls inside this block are charged to the current payer, under `feature` instead
    (e.g. the audience screen run after a search); nothing changes when no one is paying."""
    payer = current_payer()
    if payer is None:
        yield
        return
    with paying(replace(payer, feature=feature)):
        yield
