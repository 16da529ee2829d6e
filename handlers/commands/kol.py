"""`/kol`: help, `show <id>`, `compare <id> <id> …`, `shortlist …`, `digest …`, `budget`, `usage`,
a search (`<keyword> [filters]`), or with no text the search form."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import vocabulary as vocab
from bot.cards.views import help_message
from bot.chinese import simplified
from bot.errors import QueryError
from bot.grammar import lang_problem, lang_words
from bot.models import Lang
from bot.services import Services
from handlers.background import run_after_ack
from handlers.commands.deepdive import compare_command, show_command
from handlers.commands.digest import digest_command
from handlers.commands.plan import plan_command
from handlers.commands.registry import Subcommand, Subcommands
from handlers.commands.shortlist import shortlist_command
from handlers.commands.spend import budget_command, usage_command
from handlers.delivery import send_results
from handlers.jobs import SlackTask
from handlers.middleware import claimed_before_ack
from handlers.replies import refusal, searching_note
from handlers.shortcuts.search_form import open_from_command

# ack, the command payload, respond, context, logger, the text after the subcommand, the language
KolHandler = Callable[[Ack, dict[str, Any], Respond, BoltContext, logging.Logger, str, Lang], None]


def search_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    rest: str,
    lang: Lang,
) -> None:
    """`/kol search 护肤`, `/kol 找达人 护肤`: the word people type before a search is not its keyword.
    The search is the text after that word as typed (`rest` has lost its `lang=` words)."""
    if rest.strip():
        _search(ack, command, respond, context, _without_search_word(command.get("text") or ""), lang, logger)
    else:
        open_from_command(ack, command, respond, context, logger)


_SEARCH_WORD = re.compile(
    rf"(?i)(?<!\S)(?:{'|'.join(map(re.escape, ('search', *vocab.SUBCOMMAND_ALIASES['search'])))})(?!\S)"
)
# `/kol 预算20万 护肤`: a plan's word glued to its budget, as `shortlist new` takes `预算15万`
_GLUED_PLAN = re.compile(rf"^({'|'.join(map(re.escape, vocab.SUBCOMMAND_ALIASES['plan']))})(?=[¥$\d])")
_LONGEST_PLAN_WORD = max(map(len, vocab.SUBCOMMAND_ALIASES["plan"])) + 1  # what the match reads: no more


def _without_search_word(text: str) -> str:
    """The search after its word, found as the subcommand matcher reads words (`找達人`, `ｓｅａｒｃｈ`)
    and cut from the text as typed (`lang=` words and all)."""
    text = text.strip()
    read = simplified(unicodedata.normalize("NFKC", text))
    if len(read) != len(text):  # NFKC changed the length: the read text is the one to cut
        text = read
    found = _SEARCH_WORD.search(read)
    return (text[: found.start()] + text[found.end() :]).strip() if found else text


SUBCOMMANDS: Subcommands[KolHandler] = Subcommands(
    Subcommand("search", search_command, aliases=vocab.SUBCOMMAND_ALIASES["search"]),
    Subcommand("show", show_command, aliases=vocab.SUBCOMMAND_ALIASES["show"]),
    Subcommand("compare", compare_command, aliases=vocab.SUBCOMMAND_ALIASES["compare"]),
    Subcommand("shortlist", shortlist_command, aliases=vocab.SUBCOMMAND_ALIASES["shortlist"]),
    Subcommand("plan", plan_command, aliases=vocab.SUBCOMMAND_ALIASES["plan"]),
    Subcommand("digest", digest_command, aliases=vocab.SUBCOMMAND_ALIASES["digest"], changes_before_ack=True),
    Subcommand("budget", budget_command, aliases=vocab.SUBCOMMAND_ALIASES["budget"]),
    Subcommand("usage", usage_command, aliases=vocab.SUBCOMMAND_ALIASES["usage"]),
    empty_is_help=False,  # no text opens the search form
)


def kol_command(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, logger: logging.Logger
) -> None:
    services: Services = context["services"]
    text = (command.get("text") or "").strip()
    if glued := _GLUED_PLAN.match(simplified(text[:_LONGEST_PLAN_WORD])):  # same length in Simplified
        text = f"{text[: glued.end()]} {text[glued.end() :]}"
    asked = lang_words(text)
    lang = services.lang_for(text, asked)
    match = SUBCOMMANDS.match(asked.rest)  # `lang=` is read: help and subcommands go without it
    subcommand = match.subcommand
    if not text:
        open_from_command(ack, command, respond, context, logger)
    elif asked.bad and (match.help or subcommand is not None):  # a search's grammar names it itself
        ack(**refusal(lang_problem(asked), lang))
    elif match.help:  # words saying no language (`help`): the user's Slack language
        ack(
            **help_message(
                services.wordless_lang(text, context.client, context.team_id or "", context.user_id or "")
            )
        )
    elif subcommand is None:
        _search(ack, command, respond, context, text, lang, logger)
    elif subcommand.changes_before_ack:
        with claimed_before_ack(context, logger) as first:
            if first:
                subcommand.handler(ack, command, respond, context, logger, match.rest, lang)
            else:
                ack()
    else:
        subcommand.handler(ack, command, respond, context, logger, match.rest, lang)


def _search(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    text: str,
    lang: Lang,
    logger: logging.Logger,
) -> None:
    services: Services = context["services"]
    try:
        query = services.parse_query(text)
    except QueryError as err:
        ack(**refusal(err, lang))
        return
    lang = query.lang or lang
    ack(text=searching_note(query.keyword, lang))

    where = command["team_id"], command["channel_id"], command["user_id"]
    save = partial(services.searches.save, *where, text, lang)  # once the search succeeded
    run_after_ack(
        context,
        respond,
        lang,
        logger,
        lambda: send_results(services, respond, query, lang, ref_for=save),
        task=SlackTask.SEARCH,
    )
