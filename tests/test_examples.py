"""Every search the README or `/kol help` shows returns at least one creator on the demo data.

The examples are read from the documents themselves, so a new example is covered as soon as it
is written: `/kol …` in code spans and code blocks (searches only, not `show`, `digest`, …),
`kolbot search "…"`, `scripts/demo "…"`, a digest's `"…"` search, and the lines after
"Examples:" in the help text.
"""

from __future__ import annotations

import re

import pytest

from bot.grammar import parse_query, usage
from bot.i18n import tr
from bot.search import SearchService
from bot.sources.demo import DemoSource
from handlers.commands import kol
from tests import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
VERBS = {w.casefold() for w in kol.SUBCOMMANDS.words}


def readme_searches() -> list[str]:
    found = [
        *re.findall(r"`/kol ([^`]+)`", README),
        *re.findall(r"^/kol (.+)$", README, flags=re.M),
        *re.findall(r"(?:kolbot search|scripts/demo|digest add) \"([^\"]+)\"", README),
    ]
    placeholder = re.compile(r"<[A-Za-z_]|…")  # `<star_id>`, `shortlist …`
    return [t.strip() for t in found if t.split()[0].casefold() not in VERBS and not placeholder.search(t)]


def help_searches(lang: str) -> list[str]:
    tail = re.split(r"^(?:Examples:|示例：)$", tr(lang, usage()), flags=re.M)[1]
    return re.findall(r"`([^`]+)`", tail)


EXAMPLES = sorted({*readme_searches(), *help_searches("en"), *help_searches("zh")})


def test_the_documents_have_examples() -> None:
    assert len(readme_searches()) >= 4
    assert "护肤 粉丝10w+ 报价5万以内 互动率3%以上" in readme_searches()
    assert len(help_searches("en")) == len(help_searches("zh")) == 3


@pytest.mark.parametrize("text", EXAMPLES)
def test_every_documented_search_finds_creators_on_the_demo_data(text: str) -> None:
    query = parse_query(text)
    assert [n for n in query.notes if n.kind == "keyword"] == [], "a filter in the example is not understood"
    result = SearchService(DemoSource()).search(query)
    assert result.creators, f"{text!r} finds nothing: {result.stats.filters}"


def shorthand_rows() -> list[tuple[str, str]]:
    """(what you type, what it means) from the README's shorthand table."""
    table = README.split("**Shorthands.**", 1)[1].split("\n\n", 2)[1]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    return [
        (typed, re.findall(r"`([^`]+)`", means)[0])
        for cell, means in rows
        for typed in re.findall(r"`([^`]+)`", cell)
    ]


@pytest.mark.parametrize(("typed", "means"), shorthand_rows())
def test_the_readme_shorthand_table_is_what_the_grammar_does(typed: str, means: str) -> None:
    shorthand, canonical = parse_query(f"护肤 {typed}"), parse_query(f"护肤 {means}")
    assert shorthand.keywords == ["护肤"]
    fields = ("followers", "price", "cpm", "er")
    assert shorthand.model_dump(include=set(fields)) == canonical.model_dump(include=set(fields))
