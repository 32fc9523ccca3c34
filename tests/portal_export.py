"""Build files in the open budget portal's program export format, from monthly amounts.

What FACTS.md records of the real export (no real file was reachable): semicolon
separated; REP_PERIOD ``MM.YYYY``; FUND_TYP C, S and T (T = C + S); COD_CONS_MB_PK the
4-digit ТПКВКМБ; amounts (FAKT_AMT) year-to-date; above the details, group КЕКВ rows
(2000 > 2100 > 2110 > 2111) that repeat their sums, and a program row with COD_CONS_EK
``0``. A test gives the monthly cash of each (ТПКВКМБ, КЕКВ item, fund) in kopiykas; the
builder adds up the cumulative amounts, the group rows, the program totals and the T
rows itself, so the test's expectation is the monthly input, never the reader's output.
"""

from __future__ import annotations

from collections import defaultdict

from koshtorys.core import classifiers

COLUMNS = ["REP_PERIOD", "FUND_TYP", "COD_BUDGET", "COD_CONS_MB_PK", "COD_CONS_MB_PK_NAME",
           "COD_CONS_MB_FK", "COD_CONS_MB_FK_NAME", "COD_CONS_EK", "COD_CONS_EK_NAME",
           "ZAT_AMT", "PLANS_AMT", "FAKT_AMT", "FAKT_V2MB_AMT", "FAKTSIK_AMT",
           "FAKTSIK_V2MB_AMT", "FAKTSPP_AMT", "FAKTSPP_V2MB_AMT", "FAKTSID_AMT",
           "FAKTSID_V2MB_AMT", "DONE_CORR_YEAR_PCT", "X_NOT_READ"]
"""The twenty columns FACTS.md names, and one more that the reader must ignore (FACTS
counts 21 columns but names 20)."""

GROUPS = ("2000", "2100", "2110", "2200", "2270", "2280", "2600", "2700", "3000", "3100",
          "3120", "3130", "3140")
"""The group КЕКВ codes, written out by hand from the economic classification."""


def kop(text: str) -> int:
    """'1 234,56' → 123456 (the test's own reading, independent of the product)."""
    units, _, cents = text.replace(" ", "").replace(",", ".").partition(".")
    return int(units) * 100 + int((cents + "00")[:2])


def money(k: int, comma: bool = True) -> str:
    """Kopiykas as the export writes them: 1234,56 (or 1234.56)."""
    sign = "-" if k < 0 else ""
    s = f"{sign}{abs(k) // 100}.{abs(k) % 100:02d}"
    return s.replace(".", ",") if comma else s


def groups_of(kekv: str) -> list[str]:
    """The group codes a КЕКВ item sits under (2273 → 2000, 2200, 2270)."""
    return [g for g in GROUPS if g != kekv and kekv.startswith(g.rstrip("0"))]


def export_rows(monthly: dict[tuple[str, str, str], dict[int, int]], year: int,
                budget: str, *, months: range = range(1, 13), comma: bool = True,
                period: str = "MM.YYYY") -> list[list[str]]:
    """Rows of the export for ``monthly`` ((ТПКВКМБ, КЕКВ, fund C/S) → {month: kopiykas}):
    per month, for each program and fund, the program total (COD_CONS_EK 0), the group
    rows and the items, all cumulative; then the same for FUND_TYP T (C + S)."""
    rows: list[list[str]] = []
    programs = sorted({p for p, _, _ in monthly})
    for m in months:
        shown = f"{m:02d}.{year}" if period == "MM.YYYY" else f"{year}-{m:02d}"
        for prog in programs:
            cum: dict[tuple[str, str], int] = defaultdict(int)  # (fund, code) → ytd
            for (p, kekv, fund), amounts in monthly.items():
                if p != prog:
                    continue
                ytd = sum(v for mm, v in amounts.items() if mm <= m)
                for f in (fund, "T"):
                    cum[(f, kekv)] += ytd
                    cum[(f, "0")] += ytd
                    for g in groups_of(kekv):
                        cum[(f, g)] += ytd
            for (fund, code), ytd in sorted(cum.items()):
                name = (classifiers.kekv_name(code) or "") if code != "0" else "Усього"
                rows.append([shown, fund, budget, prog, classifiers.kpkvk_name(prog) or prog,
                             "1040", "Соціальний захист", code, name, money(ytd * 2, comma),
                             money(ytd * 2, comma), money(ytd, comma), "0", "0", "0", "0", "0",
                             "0", "0", "50", ""])
    return rows


def export_text(rows: list[list[str]], columns: list[str] = COLUMNS) -> str:
    return "\r\n".join(";".join(r) for r in [columns, *rows]) + "\r\n"
