"""What the planner can refuse, with what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import KolbotError
from bot.i18n import Text
from bot.planner.vocabulary import EXAMPLE_KEYWORD


class PlanError(KolbotError):
    """A refused plan request; nothing was stored."""


def no_shortlist_here() -> PlanError:
    return PlanError(
        Text("This channel has no open shortlist to plan over."),
        hint=Text(
            "Plan over a search instead (`%(command)s plan 200k %(keyword)s followers>=10w`), or start one "
            "with `%(command)s shortlist new <name>`.",
            keyword=EXAMPLE_KEYWORD,
        ),
    )


def which_shortlist(names: Sequence[str]) -> PlanError:
    listed = ", ".join(names)
    return PlanError(
        Text("This channel has several open shortlists: %(listed)s.", listed=listed),
        hint=Text("Say which with shortlist=<name or id>, or use *Plan budget* on the shortlist's message."),
    )


def not_candidates(ids: Sequence[str], option: str, where: Text) -> PlanError:
    listed = ", ".join(ids)
    return PlanError(
        Text(
            "%(option)s= names creators that are not %(where)s: %(listed)s.",
            option=option,
            where=where,
            listed=listed,
        ),
        hint=Text("Name creators among the plan's candidates, by the nickname on their card or their id."),
    )


def must_and_exclude(name: str) -> PlanError:
    return PlanError(
        Text("%(id)s is in both must and exclude.", id=name),
        hint=Text("Keep the creator in one of them."),
    )


def not_a_plan_number(ref: str) -> PlanError:
    what = (
        Text("“%(ref)s” is not a plan number.", ref=ref[:40])
        if ref
        else Text("Which plan? `plan show` needs its number.")
    )
    return PlanError(
        what, hint=Text("E.g. `%(command)s plan show 3`; `%(command)s plan list` shows this channel's plans.")
    )


def unknown_plan(ref: str) -> PlanError:
    return PlanError(
        Text("No plan %(ref)s in this channel.", ref=ref),
        hint=Text("`%(command)s plan list` shows this channel's plans."),
    )


def no_candidates() -> PlanError:
    return PlanError(
        Text("There are no creators to plan over."),
        hint=Text("Add creators to the shortlist, or plan over a broader search."),
    )
