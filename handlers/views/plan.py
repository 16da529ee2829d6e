"""Plan modal submissions: the *Plan budget* form and *Add plan to shortlist*.

The plan form's fields are checked one by one, so a problem shows under its own field and the
modal stays open; then they are written out as a `/kol plan` line and parsed by the same grammar
as the command, so the form and the command cannot drift apart.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.i18n import LANGS
from bot.models import Lang
from bot.planner.request import parse_ids, parse_mix, parse_plan, parse_plan_budget, parse_share
from bot.services import Services
from bot.shortlists.inputs import clean_name
from handlers.background import run_after_ack
from handlers.checked_respond import checked_respond
from handlers.commands.plan import run_plan
from handlers.jobs import SlackTask
from handlers.middleware import idempotency_key
from handlers.payloads import team_of, user_of
from handlers.replies import expired_search
from handlers.views.forms import (
    NewShortlist,
    Values,
    ack_form,
    add_to_shortlist,
    check_chosen,
    check_field,
    choice,
    text,
)
from handlers.views.stale import read_metadata

_KINDS = ("sl", "search", "plan")


@with_config(ConfigDict(extra="forbid"))  # load(): another form's or deploy's fields are refused
@dataclass(frozen=True)
class PlanForm:
    """What a plan modal remembers (ids only): `kind` sl | search | plan and its `ref`."""

    kind: str
    ref: str
    channel_id: str
    lang: Lang
    response_url: str

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> PlanForm:
        data = json.loads(text)
        data["lang"] = next((code for code in LANGS if code == data.get("lang")), "en")
        form = TypeAdapter(cls).validate_python(data)  # a ValueError for a missing, unknown or mistyped field
        if form.kind not in _KINDS or (form.kind == "plan" and not form.ref.isdigit()):
            raise ValueError(f"plan form metadata of an unknown kind: {form.kind}")
        return form


def _checked(values: Values) -> list[str]:
    block = (values.get("one_per_mcn") or {}).get("choice") or {}
    return [o.get("value", "") for o in block.get("selected_options") or []]


def _compact(text: str) -> str:
    return "".join(text.split())


def submit_plan(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Plan over the form's shortlist or search with the fields as typed."""
    services: Services = context["services"]
    form, values = read_metadata(view, PlanForm.load), view["state"]["values"]
    team, user, lang = team_of(body), user_of(body), form.lang
    fields = {key: _compact(text(values, key)) for key in ("budget", "mix", "max_share", "must", "exclude")}
    errors: dict[str, str] = {}
    check_field(errors, "budget", lang, lambda: parse_plan_budget(fields["budget"]))
    if fields["mix"]:
        check_field(errors, "mix", lang, lambda: parse_mix(fields["mix"]))
    if fields["max_share"]:
        check_field(errors, "max_share", lang, lambda: parse_share(fields["max_share"]))
    check_field(errors, "must", lang, lambda: parse_ids(fields["must"], "must"))
    check_field(errors, "exclude", lang, lambda: parse_ids(fields["exclude"], "exclude"))
    if not ack_form(ack, errors):
        return
    words = [f"budget={fields['budget']}"]
    words += [f"{key}={fields[key]}" for key in ("mix", "max_share", "must", "exclude") if fields[key]]
    # after the search's own words: the search grammar takes the last goal= and duration=
    chosen = [f"{key}={choice(values, key)}" for key in ("goal", "duration") if choice(values, key)]
    if "yes" in _checked(values):
        words.append("one_per_mcn=yes")
    respond = checked_respond(context, form.response_url, channel_id=form.channel_id)

    def work() -> None:
        if form.kind == "search":
            saved = services.searches.get(form.ref, team)
            if saved is None:
                raise expired_search()
            source = saved.raw_query
        else:
            source = f"shortlist={form.ref}"
        text = " ".join([*words, source, *chosen])
        parsed = parse_plan(text, services.parse_query, of_card=form.kind == "search")
        run_plan(services, context, respond, team, form.channel_id, user, parsed, lang)

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.PLAN)


def submit_plan_add(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Put the plan's creators on the chosen shortlist, or on a new one with the plan's budget."""
    services: Services = context["services"]
    form, values = read_metadata(view, PlanForm.load), view["state"]["values"]
    team, user, lang = team_of(body), user_of(body), form.lang
    name, chosen = text(values, "new_name"), choice(values, "shortlist")
    errors: dict[str, str] = {}
    if name:
        check_field(errors, "new_name", lang, lambda: clean_name(name))
    else:
        check_chosen(services, errors, lang, team_id=team, channel_id=form.channel_id, chosen=chosen)
    if not ack_form(ack, errors):
        return
    respond = checked_respond(context, form.response_url, channel_id=form.channel_id)

    def work() -> None:
        plan = services.plans.get(team, int(form.ref)).plan
        request = plan.request
        add_to_shortlist(
            services,
            client,
            respond,
            lang,
            team_id=team,
            channel_id=form.channel_id,
            user_id=user,
            chosen=chosen,
            new=NewShortlist(name, request.budget_yuan, request.duration) if name else None,
            star_ids=[c.star_id for c in plan.chosen],
            request=idempotency_key(body),
        )

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.PLAN_ADD)
