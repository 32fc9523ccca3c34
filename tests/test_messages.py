"""Every text in one place, in both languages, and every key the code says exists."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from koshtorys.core.messages import MESSAGES, TEXTS, Reason

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_FILES = [ROOT / "koshtorys/core/messages/lines.py",
                 ROOT / "koshtorys/core/messages/excel.py",
                 ROOT / "koshtorys/core/messages/checks.py"]
CODE = [p for d in ("koshtorys", "addin", "udfs") for p in (ROOT / d).rglob("*.py")]


@pytest.mark.parametrize("path", MESSAGE_FILES, ids=lambda p: p.name)
def test_no_key_is_written_twice(path: Path) -> None:
    # a second entry of a dict literal silently replaces the first
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert sorted({k for k in keys if keys.count(k) > 1}) == []


def test_no_key_is_in_both_text_files() -> None:
    # TEXTS joins the command line's lines and Excel's; one would replace the other
    from koshtorys.core.messages import excel, lines

    assert sorted(set(lines._LINES) & set(excel.EXCEL_TEXTS)) == []


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("table", [MESSAGES, TEXTS], ids=["checks", "lines"])
def test_both_languages_say_the_same_fields(table: dict[str, tuple[str, str]]) -> None:
    for key, (uk, en) in table.items():
        assert uk.strip() and en.strip(), key
        assert _fields(uk) == _fields(en), key
        # the Ukrainian text is Ukrainian: different from the English one, unless it has no
        # words at all (a line that only lays out its fields)
        bare = re.sub(r"\{[^}]*\}", "", uk)
        assert uk != en or not re.search("[A-Za-z]", bare), key


def test_every_reason_has_a_message() -> None:
    assert {r.value for r in Reason} == set(MESSAGES)


# out.say("key", …) / ui.say("key"); text("key", lang, …); the functions' _say("key", lang)
SAID = re.compile(r"""\.say\(\s*["']([a-z_0-9]+)["']\s*[,)]""")
TOLD = re.compile(r"""\b_?(?:text|say)\(\s*["']([a-z_0-9]+)["']\s*,\s*(?:[\w.]*lang|"uk"|"en")""")
RAISED = re.compile(r"""(?<!Assertion)(?:Error|Missing)\(\s*["']([a-z][a-z_0-9]+)["']\s*[,)]""")


def test_every_key_the_code_says_exists() -> None:
    missing = []
    for path in CODE:
        src = path.read_text(encoding="utf-8")
        for key in SAID.findall(src) + TOLD.findall(src):
            name = key if key in TEXTS else f"fn_{key}"  # worksheet functions prefix theirs
            if name not in TEXTS and key not in MESSAGES:
                missing.append(f"{path.name}: {key}")
        for key in RAISED.findall(src):
            if " " not in key and key not in TEXTS:
                missing.append(f"{path.name}: {key}")
    assert missing == []


def _refusal_classes() -> set[str]:
    import inspect

    from koshtorys.core import errors

    return {n for n, c in inspect.getmembers(errors, inspect.isclass)
            if issubclass(c, errors.KoshtorysError)}


def test_every_refusal_speaks_both_languages() -> None:
    # a one-line refusal raised with its English sentence as the key prints that sentence in
    # a Ukrainian workbook too (`request --kpkvk 999` did): each is raised with a key of
    # TEXTS and every field its two templates name
    wrong = []
    classes = _refusal_classes()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            if name not in classes:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            key = node.args[0]
            if isinstance(key, ast.JoinedStr):
                wrong.append(f"{where}: an f-string, not a key")
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue  # a key passed on (a check's code, a refusal re-raised)
            if key.value not in TEXTS:
                wrong.append(f"{where}: {key.value[:40]!r} is not a key")
                continue
            given = {k.arg for k in node.keywords}
            absent = set().union(*map(_fields, TEXTS[key.value])) - given
            if absent and None not in given:  # **params fills them where it is used
                wrong.append(f"{where}: {key.value} lacks {sorted(absent)}")
    assert wrong == []
