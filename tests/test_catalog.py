"""The message catalog: complete in every language, placeholders that match, and no copy outside it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from bot import i18n
from bot.cards.render import render
from bot.i18n import LANGS, Text, catalog_path, ntr, ptr, tr
from tests import copy_lint

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_every_language_with_the_same_placeholders() -> None:
    """`scripts/catalog --check`: extracted ids = catalog ids, all translated, placeholders equal."""
    run = subprocess.run(
        [sys.executable, "scripts/catalog.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "catalog complete" in run.stdout


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_a_translation_keeps_the_space_after_a_closing_bold_or_italic_marker(lang: str) -> None:
    """`*筛选：*` followed at once by the value is not bold in Slack: a closing `*` or `_` needs a
    space (or punctuation) after it, and the value comes right after the message."""
    path = ROOT / "bot" / "locale" / lang / "LC_MESSAGES" / "kolbot.po"
    lost = [
        (message.id, message.string)
        for message in read_po(path.open("rb"))
        if isinstance(message.id, str) and message.id.endswith(("* ", "_ ")) and message.string
        if not message.string.endswith(" ")
    ]
    assert lost == []


def test_the_catalog_ships_inside_the_package() -> None:
    for lang in LANGS:
        if lang != "en":
            assert Path(catalog_path(lang)).is_file()


SAMPLE_PO = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Language: zh\\n"
    "Plural-Forms: nplurals=1; plural=0;\\n"
    "Content-Type: text/plain; charset=utf-8\\n"

    msgid "Cancel"
    msgstr "取消"

    msgid "%(n)s call"
    msgid_plural "%(n)s calls"
    msgstr[0] "%(n)s 次"

    msgctxt "list separator"
    msgid ", "
    msgstr "、"

    msgid "%(spent)s of %(budget)s"
    msgstr "%(budget)s 中已用 %(spent)s"

    msgid "Shortlist %(name)s"
    msgstr "候选名单 %(name)s"

    msgid "Saved"
    msgstr "已保存"
    """
)


@pytest.fixture
def sample_catalog(tmp_path, monkeypatch):
    """The mechanism under test with a catalog of its own, so these tests never depend on the copy."""
    catalog = read_po(io.StringIO(SAMPLE_PO), locale="zh", domain="kolbot")
    mo = tmp_path / "kolbot.mo"
    with mo.open("wb") as out:
        write_mo(out, catalog)
    monkeypatch.setattr(i18n, "catalog_path", lambda lang: str(mo))
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def test_english_is_the_message_id_and_chinese_comes_from_the_catalog(sample_catalog) -> None:
    assert tr("en", "Cancel") == "Cancel"
    assert tr("zh", "Cancel") == "取消"
    assert tr("zh", "no such message id") == "no such message id"  # a gap never crashes a card


def test_plural_forms_follow_each_language(sample_catalog) -> None:
    one, many = "%(n)s call", "%(n)s calls"
    assert (ntr("en", one, many, 1), ntr("en", one, many, 3)) == ("1 call", "3 calls")
    assert (ntr("zh", one, many, 1), ntr("zh", one, many, 3)) == ("1 次", "3 次")


def test_a_context_gives_one_english_word_two_translations(sample_catalog) -> None:
    assert ptr("en", "list separator", ", ") == ", "
    assert ptr("zh", "list separator", ", ") == "、"


def test_named_placeholders_may_move_in_a_translation(sample_catalog) -> None:
    assert tr("en", "%(spent)s of %(budget)s", spent="1", budget="2") == "1 of 2"
    assert tr("zh", "%(spent)s of %(budget)s", spent="1", budget="2") == "2 中已用 1"


def test_a_text_renders_its_nested_texts_in_the_same_language(sample_catalog) -> None:
    message = Text("Shortlist %(name)s", name=Text("Saved"))
    assert (tr("en", message), tr("zh", message)) == ("Shortlist Saved", "候选名单 已保存")
    assert tr("zh", "Shortlist %(name)s", name=Text("Saved")) == "候选名单 已保存"


# -- the lint: no copy outside the catalog -----------------------------------------------------------
def test_no_copy_outside_the_catalog() -> None:
    """Every user-visible string is a message id; the domain returns Text, never words."""
    found = copy_lint.all_problems() + copy_lint.translating_in_domain()
    assert not found, "copy outside the catalog:\n" + "\n".join(map(str, found))


def test_every_message_id_in_the_code_is_in_the_catalog() -> None:
    """An id the extractor skipped (Babel skips `Text(("a" "b"))` silently) shows English to everyone."""
    found = copy_lint.unextracted()
    assert not found, "message ids missing from the catalog:\n" + "\n".join(map(str, found))


def test_the_extraction_check_finds_a_parenthesised_id(tmp_path, monkeypatch) -> None:
    (tmp_path / "bot" / "locale").mkdir(parents=True)
    (tmp_path / "bot" / "locale" / "kolbot.pot").write_text('msgid "Fine"\nmsgstr ""\n')
    (tmp_path / "bot" / "x.py").write_text('a = Text("Fine")\nb = Text(("Not " "extracted"))\n')
    monkeypatch.setattr(copy_lint, "ROOT", tmp_path)
    assert [p.where for p in copy_lint.unextracted()] == ["bot/x.py:2"]


LINTED = textwrap.dedent(
    '''
    """Docstrings may be in any language: 中文说明。"""
    from bot.i18n import pick, tr

    def card(lang):
        a = pick(lang, "Hi", "你好")
        b = "Yes" if lang == "zh" else "是"
        c = "候选名单"
        d = WrittenOut(stored.en, stored.zh)  # stored words, not copy: not flagged
        return tr(lang, "Fine"), a, b, c, d
    '''
)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("bot/cards/example.py", {"side by side", "chosen by language", "Chinese literal"}),
        ("bot/example/vocabulary.py", {"side by side", "chosen by language"}),
    ],
)
def test_the_lint_finds_each_kind_of_copy_outside_the_catalog(tmp_path, monkeypatch, rel, expected) -> None:
    path = tmp_path / rel
    path.parent.mkdir(parents=True)
    path.write_text(LINTED)
    monkeypatch.setattr(copy_lint, "ROOT", tmp_path)
    found = " | ".join(p.what for p in copy_lint.python_problems(path))
    kinds = ("side by side", "chosen by language", "Chinese literal")
    assert {kind for kind in kinds if kind in found} == expected
    assert "中文说明" not in found and "Fine" not in found


def test_the_lint_flags_translation_in_the_domain(tmp_path, monkeypatch) -> None:
    (tmp_path / "bot" / "cards").mkdir(parents=True)
    (tmp_path / "bot" / "cards" / "ok.py").write_text("tr(lang, 'Fine')\n")
    (tmp_path / "bot" / "digests.py").write_text("tr(lang, 'Words in the domain')\n")
    monkeypatch.setattr(copy_lint, "ROOT", tmp_path)
    assert [p.where for p in copy_lint.translating_in_domain()] == ["bot/digests.py:1"]


def test_the_template_lint_finds_untranslated_chinese() -> None:
    source = '{{ _("Fine") }} 候选 {{ t("Hi", "你好") }} {{ "名单" }} {{ _("Okay %s")|format("好") }}'
    tree = Environment().parse(source)
    found = [p.what for p in copy_lint._template_problems("x.j2", tree)]
    assert sum("t(en, zh)" in w for w in found) == 1
    assert sum("outside _()" in w for w in found) == 4  # 候选, 你好 (inside t), 名单, 好 (a format argument)


def test_a_message_id_may_name_a_chinese_word(tmp_path, monkeypatch) -> None:
    """`Text("Check the 抖音号")` is in the catalog; the same words outside a message id are not."""
    path = tmp_path / "bot" / "cards" / "ids.py"
    path.parent.mkdir(parents=True)
    path.write_text('a = Text("Check the 抖音号 or uid")\nb = tr(lang, "Paste a 抖音号")\nc = "抖音号"\n')
    monkeypatch.setattr(copy_lint, "ROOT", tmp_path)
    assert [p.where for p in copy_lint.python_problems(path)] == ["bot/cards/ids.py:3"]


@pytest.fixture
def command_kolx():
    i18n.use_command("/kolx")
    yield
    i18n.use_command("/kol")


def test_the_slash_command_name_fills_any_message_that_names_it(command_kolx) -> None:
    assert tr("en", "Type %(command)s help") == "Type /kolx help"
    assert tr("en", Text("%(command)s digest list %(x)s", x="now")) == "/kolx digest list now"
    assert tr("en", "a rate between 0% and 100%") == "a rate between 0% and 100%"  # no placeholder: as is


def test_every_template_knows_the_slash_command_name(command_kolx) -> None:
    """A view need not pass `command`: the template context has the configured name."""
    message = render("shortlist_help.json.j2", {"lang": "en"}, fallback_text="help")
    assert message.blocks and "/kolx shortlist new" in json.dumps(message.to_dict())
