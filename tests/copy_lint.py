"""Finds user-facing copy that is outside the message catalog (used by tests/test_catalog.py).

Python (AST): a string literal with Chinese in it, a call given texts in two languages side by side
(`pick(lang, en, zh)`, `WrittenOut("Hi", "你好")`), or a conditional
expression choosing between texts by language (`... if lang == "zh" else ...`). Words users *type*
(synonyms, brand names, demo data) are input, not copy: they live in modules named `vocabulary.py`
or in the INPUT_VOCABULARY modules below.
Templates (Jinja AST): a `t(en, zh)` call, or Chinese text outside `_()` / `ngettext()`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from jinja2 import nodes

from bot.cards.env import get_env

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
INPUT_VOCABULARY = {
    "bot/brands.py",  # brand names users type
    "bot/xingtu_tags.py",  # Xingtu's own tag names, matched against input and data
    "bot/demo/synth.py",  # synthetic creator data
    "bot/demo/synth_detail.py",
    "bot/i18n.py",  # defines detect_lang
}
# call name -> positions of its message id arguments
MESSAGE_ARGS = {"Text": (0,), "Plural": (0, 1), "N_": (0,), "tr": (1,), "ntr": (1, 2), "ptr": (2,)}
TRANSLATING = {"_", "ngettext", "pgettext", "tr", "ntr", "ptr", "N_"}


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _is_vocabulary(rel: str) -> bool:
    return rel in INPUT_VOCABULARY or rel.endswith("/vocabulary.py")


def _mentions_lang(test: ast.expr) -> bool:
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    attrs = {n.attr for n in ast.walk(test) if isinstance(n, ast.Attribute)}
    consts = {n.value for n in ast.walk(test) if isinstance(n, ast.Constant)}
    return bool({"lang", "zh"} & (names | attrs)) or "zh" in consts


def _is_text(*found: ast.expr) -> bool:
    return any(
        isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        for n in found
    )


def _language_pair(args: list[ast.expr]) -> bool:
    """Two adjacent texts, the second Chinese and the first not: `pick(lang, "Hi", "你好")` and kin."""
    return any(
        _is_text(a) and _is_text(b) and not CJK.search(ast.unparse(a)) and bool(CJK.search(ast.unparse(b)))
        for a, b in pairwise(args)
    )


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _is_text(body[0].value):
                found.add(id(body[0].value))
    return found


def _message_ids(tree: ast.Module) -> set[int]:
    """String literals that are message ids (`Text("…")`, `tr(lang, "…")`): they are in the catalog,
    even when the English names a Chinese word such as 抖音号."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MESSAGE_ARGS:
            for i in MESSAGE_ARGS[node.func.id]:
                if i < len(node.args) and isinstance(node.args[i], ast.Constant):
                    found.add(id(node.args[i]))
    return found


def python_problems(path: Path) -> Iterator[Problem]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(), filename=rel)
    docstrings = _docstrings(tree) | _message_ids(tree)
    vocabulary = _is_vocabulary(rel)
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and _language_pair(node.args):
            yield Problem(where, "texts in two languages side by side: move them into the catalog (Text)")
        elif (
            isinstance(node, ast.IfExp)
            and _mentions_lang(node.test)
            and (_is_text(node.body) or _is_text(node.orelse))
        ):
            yield Problem(where, "text chosen by language: use tr() and the catalog")
        elif (
            not vocabulary
            and isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and CJK.search(node.value)
        ):
            yield Problem(where, f"Chinese literal outside the catalog: {node.value[:40]!r}")


def _template_problems(name: str, tree: nodes.Template) -> Iterator[Problem]:
    inside: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in TRANSLATING:
            inside.update(id(c) for c in call.find_all(nodes.Const))
        if isinstance(call.node, nodes.Name) and call.node.name == "t":
            yield Problem(f"templates/{name}:{call.lineno}", 't(en, zh): use _("en") and the catalog')
    for data in tree.find_all(nodes.TemplateData):
        if CJK.search(data.data):
            yield Problem(
                f"templates/{name}:{data.lineno}", f"Chinese text outside _(): {data.data.strip()[:40]!r}"
            )
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and CJK.search(const.value) and id(const) not in inside:
            yield Problem(
                f"templates/{name}:{const.lineno}", f"Chinese literal outside _(): {const.value[:40]!r}"
            )


def template_problems() -> Iterator[Problem]:
    env = get_env()
    for name in env.list_templates(extensions=["j2"]):
        source, _filename, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
        yield from _template_problems(name, env.parse(source))


def all_problems() -> list[Problem]:
    found: list[Problem] = []
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found.extend(python_problems(path))
    found.extend(template_problems())
    return found


RENDERING = (
    "bot/cards/",
    "handlers/",
    "bot/cli.py",
    "bot/charts.py",
    "bot/planner/chart.py",
    "bot/formatting.py",  # numbers and units for a language: fmt.yuan(v, lang), duration_label(d, lang)…
    "bot/planner/export.py",
    "bot/shortlists/export.py",
    "bot/settings_problems.py",  # the start-up line for refused settings, for the terminal
)


def translating_in_domain() -> list[Problem]:
    """`tr` & co. outside the rendering layer: the domain should return data, not words."""
    found: list[Problem] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(RENDERING) or rel == "bot/i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"tr", "ntr", "ptr"}
            ):
                found.append(
                    Problem(
                        f"{rel}:{node.lineno}",
                        f"{node.func.id}() in the domain: return a code, word it in bot/cards",
                    )
                )
    return found


def _catalog_ids() -> set[str]:
    """Every message id (singular and plural) in bot/locale/kolbot.pot."""
    from babel.messages.pofile import read_po

    with (ROOT / "bot" / "locale" / "kolbot.pot").open("rb") as pot:
        catalog = read_po(pot)
    ids: set[str] = set()
    for message in catalog:
        ids.update(message.id if isinstance(message.id, tuple) else (message.id,))
    return ids


def unextracted() -> list[Problem]:
    """Message ids in the code that the extractor missed, so every language shows them in English:
    Babel skips an id wrapped in parentheses, `Text(("a" "b"))`, without a warning."""
    ids, found = _catalog_ids(), []
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                for i in MESSAGE_ARGS.get(node.func.id, ()):
                    arg = node.args[i] if i < len(node.args) else None
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in ids:
                        what = f"not in the catalog: {arg.value[:50]!r}"
                        found.append(Problem(f"{rel}:{node.lineno}", what))
    return found
