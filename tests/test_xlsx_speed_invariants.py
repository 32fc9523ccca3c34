"""What keeps refresh near the I/O floor, asserted as structure, never as time.

Speed itself is measured only by ``python -m benchmarks.run``. These tests pin down the
properties the speed rests on, so a change that quietly undoes one fails here: each
part is inflated at most once by koshtorys, the old rows of a rewritten table are not
parsed, a table part and each relationships part are parsed once, ``save`` does not
read back the file it wrote, and a rewritten sheet is never held whole as text.
"""

from __future__ import annotations

import importlib.util
import shutil
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

import koshtorys.xlsx.filebook
import koshtorys.xlsx.sheetmodel
from koshtorys.commands.refresh import refresh
from koshtorys.core import schema
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.package import Package
from koshtorys.xlsx.template import build_workbook


def _generate() -> object:
    """benchmarks/generate.py, the benchmark's own inputs (also under a bare ``pytest``)."""
    where = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("koshtorys_bench_generate", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A refreshed institution workbook whose inputs then changed (as in the benchmark)."""
    path = tmp_path_factory.mktemp("inv") / "inst.xlsx"
    build_workbook(path, lang="uk",
                   sample=_generate().institution_frames(0.3, 3, "Установа"))  # type: ignore[attr-defined]
    book = FileBook.open(path)
    refresh(book)
    book.save()
    book = FileBook.open(path)
    raw = book.read_tables(["tblCosts", "tblPlan"])
    for name, key in (("tblCosts", "amount"), ("tblPlan", "m01")):
        j = schema.match_columns(schema.table(name), raw[name].headers)[key]
        book.update_table(name, {(0, key): float(raw[name].rows[0][j]) + 1000.0}, [])
    book.save()
    return path


@pytest.fixture
def work(changed: Path, tmp_path: Path) -> Path:
    out = tmp_path / "work.xlsx"
    shutil.copyfile(changed, out)
    return out


def test_each_part_is_inflated_at_most_once(work: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    opened: Counter[str] = Counter()
    real = Package._open  # where every original entry is inflated (codec or zipfile)

    def counting(self: Package, name: str) -> object:
        opened[name] += 1
        return real(self, name)

    monkeypatch.setattr(Package, "_open", counting)
    book = FileBook.open(work)
    refresh(book)
    book.save()
    assert opened, "nothing was inflated"
    assert max(opened.values()) == 1, {k: v for k, v in opened.items() if v > 1}


def test_old_rows_of_rewritten_tables_are_not_parsed(work: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A few first rows are parsed for their formats; the bulk only checked by search."""
    parsed: list[bytes] = []
    real = koshtorys.xlsx.sheetmodel._parse_row
    monkeypatch.setattr(koshtorys.xlsx.sheetmodel, "_parse_row",
                        lambda raw, decls: parsed.append(raw) or real(raw, decls))
    book = FileBook.open(work)
    old_rows = sum(t.data_end - t.top + 1 for t in book.index.tables.values()
                   if schema.table(t.name).role == "output")
    refresh(book)
    book.save()
    assert old_rows > 2000
    assert len(parsed) <= 12 * 9  # at most the first data rows of each output table


def test_table_and_relationship_parts_are_parsed_once(work: Path,
                                                      monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    seen: Counter[str] = Counter()
    real = Package.xml

    def counting(self: Package, part: str) -> object:
        seen[part] += 1
        return real(self, part)

    monkeypatch.setattr(Package, "xml", counting)
    book = FileBook.open(work)
    refresh(book)
    book.save()
    tables = {k: v for k, v in seen.items() if k.startswith("xl/tables/")}
    rels = {k: v for k, v in seen.items() if k.endswith(".rels")}
    assert tables and rels
    # once for the map of the workbook, once for the write (the output tables only)
    assert max(tables.values()) <= 2, tables
    assert max(rels.values()) == 1, rels


def test_save_does_not_read_back_what_it_wrote(work: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[Path] = []
    real = koshtorys.xlsx.filebook.load_bytes
    monkeypatch.setattr(koshtorys.xlsx.filebook, "load_bytes",
                        lambda p: loads.append(p) or real(p))
    book = FileBook.open(work)
    result = refresh(book)
    book.save()
    assert loads == [work]  # the open, not the save
    # the book still works after the save: it reads the file when it is used again
    raw = book.read_tables(["tblUnitCosts"])["tblUnitCosts"]
    j = raw.headers.index(schema.table("tblUnitCosts").column("total_cost").header("uk"))
    assert [round(r[j], 2) for r in raw.rows] == \
        [round(x, 2) for x in result.outputs["tblUnitCosts"]["total_cost"]]
    assert loads == [work, work]


def test_rewritten_sheet_is_not_held_whole(tmp_path: Path) -> None:
    """Rewriting a table of 60 000 rows takes less memory than three copies of its sheet's
    XML, the new values included: the old rows are neither copied nor parsed and the new
    ones are deflated as they are made (the old code took about seven copies)."""
    import pandas as pd
    from fixtures_xlsx import add_table, new_workbook, put_rows

    kekv = schema.table("tblCostByKekv")
    wb = new_workbook()
    ws = wb.create_sheet("Kekv")
    put_rows(ws, "A1", [kekv.headers("en"), ["0813104", "2210", "general", 1.0]])
    add_table(ws, "tblCostByKekv", "A1:D2")
    path = tmp_path / "k.xlsx"
    wb.save(path)
    n = 60_000

    def frame(k: float) -> pd.DataFrame:
        return pd.DataFrame({"kpkvk": ["0813104"] * n, "kekv": ["2210", "2240"] * (n // 2),
                             "fund": ["general"] * n,
                             "amount": [k + i / 100 for i in range(n)]})

    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame(1000.0)}, "en")
    book.save()
    book = FileBook.open(path)
    info = book.index.table("tblCostByKekv")
    assert info is not None
    size = book._pkg.size(info.sheet_part)
    assert size > 3_000_000
    new = frame(2000.0)
    tracemalloc.start()
    try:
        book.write_tables({"tblCostByKekv": new}, "en")
        book.save()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * size, (peak, size)
    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert len(t.rows) == n and t.rows[-1][3] == 2000.0 + (n - 1) / 100
