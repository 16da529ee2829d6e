"""What `show` takes, for Slack's `/kol show` and the terminal's `kolbot show` alike."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import QueryError
from bot.i18n import Text


def show_usage() -> Text:
    return Text(
        "Example: `%(command)s show 6912345678901234567` (Xingtu id), `%(command)s show @douyin_handle` or "
        "`%(command)s show <Douyin uid>`; add `audience_gender=female>=70%%` to check the audience fit.",
    )


def check_show_ids(identifiers: Sequence[str]) -> str:
    """The one creator `show` was given; `QueryError` for none or several."""
    if len(identifiers) == 1:
        return identifiers[0]
    what = (
        Text("`show` needs a creator id.")
        if not identifiers
        else Text(
            "`show` takes one creator, not %(n)s; to put several side by side use `%(command)s compare`.",
            n=len(identifiers),
        )
    )
    raise QueryError(" ".join(identifiers) or "show", what, usage=show_usage())
