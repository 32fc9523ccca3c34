"""The reference of every table, column, setting and reason code, made from the schema.

``docs/tables.md`` is this module's output (``python -m koshtorys.core.reference
docs/tables.md``); a test keeps it current, so the reference cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import schema
from .messages import MESSAGES, Reason

__all__ = ["reference_markdown"]

_KIND = {"text": "text", "code": "code (text of digits, zeros kept)", "number": "number",
         "money": "UAH", "int": "whole number", "year": "year", "share": "share 0–1",
         "enum": "one of a list", "bool": "yes/no"}
_ROLE = {"input": "input — read, never changed by refresh",
         "output": "output — rewritten by refresh",
         "log": "log — appended by a command, never rewritten"}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _rule(c: schema.Column | schema.Setting) -> str:
    parts = []
    if getattr(c, "required", False):
        parts.append("required")
    lo, hi = c.min, c.max
    if lo is not None and hi is not None:
        parts.append(f"{_num(lo)}…{_num(hi)}")
    elif lo is not None:
        parts.append(("> " if getattr(c, "min_exclusive", False) else "≥ ") + _num(lo))
    elif hi is not None:
        parts.append(f"≤ {_num(hi)}")
    if c.enum:
        values = [f"`{v}`" + (f" ({schema.enum_label(c.enum, v, 'uk')})"
                              if schema.enum_label(c.enum, v, "uk") != v else "")
                  for v in schema.ENUMS[c.enum]]
        parts.append(", ".join(values))
    if c.default not in (None, ""):
        parts.append(f"default {c.default}")
    return "; ".join(parts)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def reference_markdown() -> str:
    """The whole reference as Markdown."""
    out = ["# Tables, columns, settings and reason codes", "",
           "Generated from `koshtorys/core/schema.py` and `koshtorys/core/messages/` by "
           "`python -m koshtorys.core.reference docs/tables.md`; do not edit by hand.",
           "The engine finds tables by name on any sheet and columns by either header, in "
           "any order; extra columns are kept. English headers are the column keys.", ""]
    out += ["## Tables", ""]
    for t in schema.TABLES:
        out += [f"### `{t.name}` — {t.title_en}", "",
                f"{_ROLE[t.role]}; sheet «{t.sheet_uk}» (Ukrainian) / `{t.sheet_en}` "
                f"(English){'; required' if t.required else ''}.", "",
                "| key | Ukrainian header | type | rules |", "|---|---|---|---|"]
        out += [f"| `{c.key}` | {_cell(c.uk)} | {_KIND[c.kind]} | {_cell(_rule(c))} |"
                for c in t.columns]
        out.append("")
    out += ["## Settings (`tblSettings`: key, value)", "",
            "| key | type | rules | meaning |", "|---|---|---|---|"]
    for s in schema.SETTINGS:
        out.append(f"| `{s.key}` | {_KIND[s.kind]} | {_cell(_rule(s))} | {_cell(s.en)} |")
    out += ["", "`min_wage` blank: the monthly minimum wage the State Budget law fixed for the "
            "plan year (`koshtorys/data/min_wage.csv`); `hours_per_fte` blank: the plan "
            "year's working days × 8 hours (`koshtorys/core/years.py`).", "",
            "## Reason codes (`tblChecks.code`)", "", "| code | Ukrainian | English |",
            "|---|---|---|"]
    for r in Reason:
        uk, en = (m.replace("{note}", "") for m in MESSAGES[r.value])  # a hint, when any
        out.append(f"| `{r.value}` | {_cell(uk)} | {_cell(en)} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # python -m koshtorys.core.reference [FILE]
    text = reference_markdown()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
