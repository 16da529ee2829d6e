"""One subcommand registry for `/kol` and each family under it (`shortlist`, `digest`, `plan`).

A family lists its subcommands once, each with its name, aliases (English and Chinese), usage
and handler; `Subcommands.match` splits typed text into the subcommand and what follows it.
Help is the registry's own: every family answers the same `HELP_WORDS`, and a family whose
help is what no text at all shows (`empty_is_help`) answers an empty text with it too. What any
other first word means (a search for `/kol`, a plan for `/kol plan`, a refusal elsewhere) is the
family's business.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.chinese import simplified
from bot.i18n import Text
from bot.vocabulary import HELP_WORDS
from handlers.jobs import SlackTask

H = TypeVar("H")


@dataclass(frozen=True)
class Subcommand(Generic[H]):
    """One subcommand: the words that name it, how to call it and what runs it.

    `usage` is the arguments after the name, for "needs more" replies.
    `changes_before_ack`: the handler stores changes before it acks, so the request is claimed
    first (`handlers.middleware.claimed_before_ack`) rather than when work starts after the ack.
    `task`: the named job its slow work runs as, for a family whose dispatcher queues the work
    (`shortlist`, `plan`); the others name theirs where they queue it.
    """

    name: str
    handler: H
    aliases: tuple[str, ...] = ()
    usage: Text | None = None
    changes_before_ack: bool = False
    task: SlackTask | None = None

    @property
    def words(self) -> frozenset[str]:
        return frozenset(word.lower() for word in (self.name, *self.aliases))


@dataclass(frozen=True)
class Match(Generic[H]):
    """What a text asks for: a subcommand, help, or neither (`subcommand` None, `help` False)."""

    subcommand: Subcommand[H] | None
    help: bool
    verb: str  # the first word, as typed
    rest: str  # what follows it, as typed


class Subcommands(Generic[H]):
    """The subcommands of one command family, looked up by any of their words (case-insensitive,
    Traditional Chinese read as Simplified)."""

    def __init__(self, *subcommands: Subcommand[H], empty_is_help: bool = True) -> None:
        self._subcommands = subcommands
        self._by_word: dict[str, Subcommand[H]] = {}
        for subcommand in subcommands:
            for word in subcommand.words:
                if word in self._by_word or word in HELP_WORDS:
                    raise ValueError(f"“{word}” names two subcommands")
                self._by_word[word] = subcommand
        self.empty_is_help = empty_is_help

    def __iter__(self) -> Iterator[Subcommand[H]]:
        return iter(self._subcommands)

    def __getitem__(self, name: str) -> Subcommand[H]:
        return next(s for s in self._subcommands if s.name == name)

    @property
    def words(self) -> frozenset[str]:
        """Every word that names a subcommand or help."""
        return frozenset(self._by_word) | HELP_WORDS

    def match(self, text: str) -> Match[H]:
        verb, rest = [*text.strip().split(maxsplit=1), "", ""][:2]  # any space, the full-width one too
        # `ｓｈｏｗ` typed in full-width mode; `對比` in Traditional Chinese
        word = simplified(unicodedata.normalize("NFKC", verb)).lower()
        is_help = word in HELP_WORDS or (not word and self.empty_is_help)
        return Match(self._by_word.get(word), is_help, verb, rest)
