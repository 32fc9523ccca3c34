"""``workbooks/`` holds exactly what ``koshtorys new`` makes: rebuilt here and compared."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from koshtorys.commands.workbooks import build_workbooks, workbook_names
from koshtorys.xlsx import FileBook

SHIPPED = Path(__file__).resolve().parent.parent / "workbooks"
VOLATILE = {"docProps/core.xml"}  # creation and modification times only


def _plan_year(path: Path) -> int:
    raw = FileBook.open(path, check_lock=False).read_tables(["tblSettings"])["tblSettings"]
    return next(int(v) for k, v in raw.rows if k == "plan_year")


def test_the_folder_holds_the_files_the_spec_names() -> None:
    names = {p.name for p in SHIPPED.glob("*.xlsx")}
    assert {"koshtorys_uk.xlsx", "koshtorys_en.xlsx", "kreminna_2026.xlsx",
            "pervomaiskyi_2026.xlsx", "kropyvnytskyi_2026.xlsx"} <= names
    assert names == set(workbook_names())


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("workbooks")
    # the empty templates start with the plan year they were made for: build with that year
    build_workbooks(out, plan_year=_plan_year(SHIPPED / "koshtorys_uk.xlsx"))
    return out


@pytest.mark.parametrize("name", sorted(workbook_names()))
def test_each_file_is_current(rebuilt: Path, name: str) -> None:
    shipped, fresh = zipfile.ZipFile(SHIPPED / name), zipfile.ZipFile(rebuilt / name)
    assert shipped.namelist() == fresh.namelist(), "run: koshtorys workbooks"
    stale = [n for n in shipped.namelist()
             if n not in VOLATILE and shipped.read(n) != fresh.read(n)]
    assert not stale, f"{name} is out of date in {stale[:3]}: run `koshtorys workbooks`"


def test_the_table_reference_is_current() -> None:
    from koshtorys.core.reference import reference_markdown

    shipped = (SHIPPED.parent / "docs" / "tables.md").read_text(encoding="utf-8")
    assert shipped == reference_markdown(), \
        "run: python -m koshtorys.core.reference docs/tables.md"
    for name in ("tblChecks", "tblSubmissions", "date_in_amount", "missing_table"):
        assert f"`{name}`" in shipped
