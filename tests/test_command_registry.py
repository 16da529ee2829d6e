"""The one subcommand registry: every subcommand and alias of `/kol`, `shortlist`, `digest` and
`plan` dispatches to its handler, and every family answers the same help words."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.response import BoltResponse

from handlers.commands import digest, kol, plan, shortlist
from handlers.commands.registry import HELP_WORDS, Subcommand, Subcommands
from tests.fakes.signing import SlackRequests

FAMILIES: dict[str, Subcommands[Any]] = {
    "kol": kol.SUBCOMMANDS,
    "shortlist": shortlist.SUBCOMMANDS,
    "digest": digest.SUBCOMMANDS,
    "plan": plan.SUBCOMMANDS,
}
EVERY_WORD = [
    (family, subcommand.name, word)
    for family, subcommands in FAMILIES.items()
    for subcommand in subcommands
    for word in sorted(subcommand.words)
]


def ack_of(response: BoltResponse) -> dict[str, Any]:
    assert response.status == 200, response.body
    if not response.body:
        return {}
    return json.loads(response.body) if response.body.startswith("{") else {"text": response.body}


@pytest.mark.parametrize(("family", "name", "word"), EVERY_WORD)
def test_every_name_and_alias_finds_its_subcommand_with_the_rest(family: str, name: str, word: str) -> None:
    for typed in (word, word.upper()):
        match = FAMILIES[family].match(f"  {typed} 618  beauty ")
        assert match.subcommand is not None and match.subcommand.name == name
        assert not match.help and match.verb == typed and match.rest == "618  beauty"


def test_a_verb_typed_in_full_width_mode_finds_its_subcommand() -> None:
    match = kol.SUBCOMMANDS.match("ｓｈｏｗ\u3000７０７５２３１２６８８２９３４０２０６")
    assert match.subcommand is not None and match.subcommand.name == "show"
    assert match.rest == "７０７５２３１２６８８２９３４０２０６"  # the grammar reads full-width digits
    assert shortlist.SUBCOMMANDS.match("ＡＤＤ 1 2").subcommand.name == "add"


def test_help_words_are_one_set_everywhere() -> None:
    assert {"help", "-h", "--help", "?", "帮助"} == HELP_WORDS
    for subcommands in FAMILIES.values():
        assert subcommands.words >= HELP_WORDS
        for word in HELP_WORDS:
            match = subcommands.match(f"{word.upper()} more")
            assert match.help and match.subcommand is None
    # No text: help for a family; the search form for `/kol` itself.
    assert [name for name, s in FAMILIES.items() if s.match("  ").help] == ["shortlist", "digest", "plan"]


def test_a_word_names_one_subcommand() -> None:
    with pytest.raises(ValueError, match="two subcommands"):
        Subcommands(Subcommand("list", None, aliases=("ls",)), Subcommand("ls", None))
    with pytest.raises(ValueError, match="two subcommands"):
        Subcommands(Subcommand("help", None))
    assert FAMILIES["kol"].match("护肤 followers>=10w").subcommand is None


@pytest.mark.parametrize("word", sorted(kol.SUBCOMMANDS.words - HELP_WORDS))
def test_every_kol_word_dispatches_through_the_app(
    word: str, app: App, slack_requests: SlackRequests, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real app: the subcommand's handler runs once, with the text after the word."""
    calls: list[tuple[str, str, str]] = []

    def recorder(name: str) -> kol.KolHandler:
        def handler(
            ack: Any, _command: Any, _respond: Any, _context: Any, _logger: Any, rest: str, lang: str
        ) -> None:
            calls.append((name, rest, lang))
            ack()

        return handler

    recording = Subcommands(
        *(replace(s, handler=recorder(s.name)) for s in kol.SUBCOMMANDS), empty_is_help=False
    )
    monkeypatch.setattr(kol, "SUBCOMMANDS", recording)
    request = slack_requests.command(f"{word} 618 美妆")
    assert ack_of(app.dispatch(request.bolt())) == {}
    assert calls == [(kol.SUBCOMMANDS.match(word).subcommand.name, "618 美妆", "zh")]  # type: ignore[union-attr]
    if recording.match(word).subcommand.changes_before_ack:  # type: ignore[union-attr]
        assert ack_of(app.dispatch(request.retried(1).bolt())) == {}  # claimed first: a retry changes nothing
        assert len(calls) == 1


@pytest.mark.parametrize("family", ["", "shortlist ", "digest ", "plan "])
def test_every_help_word_gets_the_same_help(family: str, app: App, slack_requests: SlackRequests) -> None:
    english = [
        ack_of(app.dispatch(slack_requests.command(f"{family}{w}").bolt()))
        for w in ("help", "-h", "--help", "?")
    ]
    assert english[0].get("blocks") or english[0].get("text")
    assert all(a == english[0] for a in english)
    chinese = ack_of(app.dispatch(slack_requests.command(f"{family}帮助").bolt()))
    assert chinese and chinese != english[0]  # answered in Chinese


@pytest.mark.parametrize("word", sorted(shortlist.SUBCOMMANDS.words - HELP_WORDS))
def test_every_shortlist_word_is_a_shortlist_command(
    word: str, app: App, slack_requests: SlackRequests
) -> None:
    """A known word is acked empty and worked on after the ack; an unknown one is refused at once."""
    assert ack_of(app.dispatch(slack_requests.command(f"shortlist {word}").bolt())) == {}
    refused = ack_of(app.dispatch(slack_requests.command("shortlist frobnicate").bolt()))
    assert "frobnicate" in json.dumps(refused, ensure_ascii=False)


@pytest.mark.parametrize("word", sorted(digest.SUBCOMMANDS.words - HELP_WORDS))
def test_every_digest_word_is_a_digest_command(word: str, app: App, slack_requests: SlackRequests) -> None:
    answer = json.dumps(
        ack_of(app.dispatch(slack_requests.command(f"digest {word}").bolt())), ensure_ascii=False
    )
    assert "Unknown digest command" not in answer and "无法识别" not in answer
    unknown = ack_of(app.dispatch(slack_requests.command("digest frobnicate").bolt()))
    assert "Unknown digest command" in json.dumps(unknown)


@pytest.mark.parametrize("word", sorted(plan.SUBCOMMANDS.words - HELP_WORDS))
def test_every_plan_word_is_a_plan_command(word: str, app: App, slack_requests: SlackRequests) -> None:
    """`list` and `show` ack empty and answer after the ack; anything else is a plan to parse."""
    assert ack_of(app.dispatch(slack_requests.command(f"plan {word}").bolt())) == {}
