"""Consolidation at national scale: 100, 400 and 1 469 distinct institution workbooks.

``python -m benchmarks.consolidation`` prints, for each size, the best of ``repeat``
fresh processes of ``koshtorys consolidate`` (to .xlsx and to .parquet), the read floor
(python-calamine reading the sheets the command needs, in a fresh process too), the
polars read+stack peer, each with its peak memory (the child's VmHWM), the ratio to the
floor and the fitted growth exponent (slope of log seconds against log workbooks).

The workbooks are made once and cached under the temporary folder, keyed by size and
generator version: a few base workbooks are built and refreshed by koshtorys itself,
then each institution gets its own name, ЄДРПОУ, program codes and amounts through the
file adapter (never 1 469 copies of one file).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run", "corpus", "fit_exponent", "main"]

VERSION = 1
"""Bump when the generated workbooks change (the cache is keyed by it)."""
BASES = 6
SCALE = 0.1
MAX_COUNT = 1469


def _cache_root() -> Path:
    root = Path(os.environ.get("KOSHTORYS_BENCH_CACHE", tempfile.gettempdir()))
    return root / f"koshtorys-consolidation-v{VERSION}"


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------- the workbooks

def _edrpou(i: int) -> str:
    from stdnum.ua import edrpou

    body = f"{3_100_000 + i * 37:07d}"
    return body + edrpou.calc_check_digit(body)


def _base(path: Path, seed: int) -> None:
    """One institution's workbook, built and refreshed as a user would."""
    from benchmarks.generate import institution_frames
    from koshtorys.commands.refresh import refresh
    from koshtorys.xlsx import FileBook
    from koshtorys.xlsx.template import build_workbook

    build_workbook(path, lang="uk", sample=institution_frames(SCALE, seed, f"База {seed}"))
    book = FileBook.open(path)
    refresh(book)


def _base_outputs(base: Path) -> tuple[dict[str, object], list[object]]:
    """The base's output frames (codes) and the keys of its tblSettings rows."""
    from koshtorys import parts
    from koshtorys.xlsx import FileBook

    book = FileBook.open(base, check_lock=False)
    keys = [r[0] for r in book.read_tables(["tblSettings"])["tblSettings"].rows]
    return parts.evaluate(book).outputs, keys  # type: ignore[return-value]


def _variant(base: Path, made: tuple[dict, list], target: Path, i: int) -> None:
    """``base`` as institution ``i``: its own name, ЄДРПОУ, codes and amounts."""
    import numpy as np

    from koshtorys.convert import present
    from koshtorys.core import schema
    from koshtorys.xlsx import FileBook

    outputs, keys = made
    book = FileBook.open(base, check_lock=False)
    book.update_table("tblSettings", {
        (keys.index("institution"), "value"): f"Центр соціальних послуг № {i + 1}",
        (keys.index("edrpou"), "value"): _edrpou(i),
        (keys.index("hromada"), "value"): f"Громада {i + 1}"}, [])
    factor = 0.5 + (i * 7919 % 1000) / 1000
    prefix = f"{10 + i % 89:02d}"
    frames = {}
    for t in schema.TABLES:
        if not t.consolidate:
            continue
        df = outputs[t.name].copy()
        for c in t.columns:
            if c.kind == "money":
                df[c.key] = np.round(df[c.key].astype(float) * factor, 2)
        if "kpkvk" in df:
            df["kpkvk"] = [k if not (isinstance(k, str) and k.isdigit()) else prefix + k[2:]
                           for k in df["kpkvk"]]
        frames[t.name] = present(df, t.name, "uk")
    book.write_tables(frames, "uk")
    book.save(target)


def corpus(count: int, log: bool = True) -> Path:
    """A folder of ``count`` distinct refreshed institution workbooks (made once, cached)."""
    root = _cache_root()
    full = root / f"all-{MAX_COUNT}"
    if not (full / ".done").exists():
        bases = root / "bases"
        bases.mkdir(parents=True, exist_ok=True)
        base_paths = []
        for s in range(BASES):
            p = bases / f"base_{s}.xlsx"
            if not p.exists():
                tmp = p.with_suffix(".tmp.xlsx")
                _base(tmp, 11 + s)
                tmp.replace(p)
            base_paths.append(p)
        full.mkdir(parents=True, exist_ok=True)
        made = [_base_outputs(p) for p in base_paths]
        started = time.perf_counter()
        for i in range(MAX_COUNT):
            p = full / f"inst_{i:04d}.xlsx"
            if not p.exists():
                tmp = full / f".tmp_{i:04d}.xlsx"
                _variant(base_paths[i % BASES], made[i % BASES], tmp, i)
                tmp.replace(p)
            if log and i % 200 == 199:
                print(f"  made {i + 1} workbooks ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr, flush=True)
        (full / ".done").write_text("ok")
    if count == MAX_COUNT:
        return full
    sub = root / f"first-{count}"
    if not (sub / ".done").exists():
        sub.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            dst = sub / f"inst_{i:04d}.xlsx"
            if not dst.exists():
                try:
                    os.link(full / f"inst_{i:04d}.xlsx", dst)
                except OSError:  # another file system
                    shutil.copyfile(full / f"inst_{i:04d}.xlsx", dst)
        (sub / ".done").write_text("ok")
    return sub


# ---------------------------------------------------------------------- the children

def _needed_sheets() -> list[str]:
    """The sheets holding the tables consolidation reads (Ukrainian workbooks)."""
    from koshtorys.core import schema

    names = ["tblSettings"] + [t.name for t in schema.TABLES if t.consolidate]
    return list(dict.fromkeys(schema.table(n).sheet_uk for n in names))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx")


def _cpu() -> float:
    """CPU seconds of this process (a fair clock on a machine others share too)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(task: str, folder: Path, out: Path | None) -> dict[str, float]:
    if task == "floor":
        import python_calamine as pc

        sheets = _needed_sheets()
        files = _files(folder)
        t, c0 = time.perf_counter(), _cpu()
        cells = 0
        for p in files:
            wb = pc.CalamineWorkbook.from_path(str(p))
            for s in sheets:
                cells += len(wb.get_sheet_by_name(s).to_python())
    elif task == "polars":
        import polars as pl

        sheets = _needed_sheets()
        files = _files(folder)
        t, c0 = time.perf_counter(), _cpu()
        stacks: dict[str, list[object]] = {s: [] for s in sheets}
        for p in files:
            frames = pl.read_excel(p, sheet_name=sheets, engine="calamine")
            for s, df in frames.items():
                stacks[s].append(df.with_columns(pl.lit(p.name).alias("source_file")))
        stacked = {s: pl.concat(v, how="diagonal_relaxed") for s, v in stacks.items()}
        cells = sum(len(df) for df in stacked.values())
    elif task == "consolidate":
        from koshtorys.commands.consolidate import consolidate_folder

        assert out is not None
        t, c0 = time.perf_counter(), _cpu()
        done = consolidate_folder(folder, out)
        cells = done.exit_code
    else:
        raise SystemExit(f"unknown task {task}")
    return {"seconds": time.perf_counter() - t, "cpu_s": _cpu() - c0, "peak_mb": _peak_mb(),
            "n": float(cells)}


def _measure(task: str, folder: Path, out: Path | None, repeat: int) -> dict[str, float]:
    """Best of ``repeat`` fresh processes (peak memory of that best one)."""
    best: dict[str, float] | None = None
    for _ in range(repeat):
        cmd = [sys.executable, "-m", "benchmarks.consolidation", "--child", task,
               "--path", str(folder)] + (["--out", str(out)] if out else [])
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              cwd=Path(__file__).resolve().parent.parent)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{task} failed:\n{done.stderr}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        r["process_s"] = wall
        if best is None or r["seconds"] < best["seconds"]:
            best = r
    assert best is not None
    return best


def fit_exponent(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x (1 = linear growth)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / \
        sum((a - mx) ** 2 for a in lx)


def run(counts: tuple[int, ...] = (100, 400, 1469), repeat: int = 3) -> list[dict]:
    """One row per size: seconds and peak MB of each figure, ratios to the floor."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="kosht-cons-out-") as tmp:
        for n in counts:
            folder = corpus(n)
            row: dict[str, float | int] = {"workbooks": n}
            for key, task, out in (("floor", "floor", None), ("polars", "polars", None),
                                   ("xlsx", "consolidate", Path(tmp) / f"c{n}.xlsx"),
                                   ("parquet", "consolidate", Path(tmp) / f"c{n}.parquet")):
                try:
                    r = _measure(task, folder, out, repeat)
                except SystemExit as exc:
                    if task != "polars":
                        raise
                    print(f"polars peer skipped: {str(exc).splitlines()[-1]}",
                          file=sys.stderr)
                    continue
                row[f"{key}_s"] = r["seconds"]
                row[f"{key}_cpu"] = r["cpu_s"]
                row[f"{key}_mb"] = r["peak_mb"]
                row[f"{key}_process_s"] = r["process_s"]
            for key in ("xlsx", "parquet"):
                row[f"{key}_ratio"] = row[f"{key}_s"] / row["floor_s"]  # type: ignore[operator]
                row[f"{key}_cpu_ratio"] = row[f"{key}_cpu"] / row["floor_cpu"]  # type: ignore[operator]
            rows.append(row)
    return rows


def _table(rows: list[dict]) -> str:
    """Seconds are wall time inside the child (after its imports), best of the repeats;
    cpu its CPU seconds; MB its peak resident memory; ratio = figure / read floor."""
    head = (f"{'workbooks':>9} | {'floor s':>7} {'cpu':>5} {'MB':>4} | {'polars s':>8} "
            f"{'MB':>4} | {'xlsx s':>6} {'cpu':>5} {'MB':>4} {'ratio':>5} {'cpu':>5} | "
            f"{'parquet s':>9} {'cpu':>5} {'MB':>4} {'ratio':>5} {'cpu':>5}")
    lines = [head]
    for r in rows:
        pol = (f"{r['polars_s']:8.2f} {r['polars_mb']:4.0f}" if "polars_s" in r
               else f"{'—':>8} {'':4}")
        lines.append(
            f"{r['workbooks']:9d} | {r['floor_s']:7.2f} {r['floor_cpu']:5.2f} "
            f"{r['floor_mb']:4.0f} | {pol} | {r['xlsx_s']:6.2f} {r['xlsx_cpu']:5.2f} "
            f"{r['xlsx_mb']:4.0f} {r['xlsx_ratio']:5.2f} {r['xlsx_cpu_ratio']:5.2f} | "
            f"{r['parquet_s']:9.2f} {r['parquet_cpu']:5.2f} {r['parquet_mb']:4.0f} "
            f"{r['parquet_ratio']:5.2f} {r['parquet_cpu_ratio']:5.2f}")
    if len(rows) >= 2:
        xs = [float(r["workbooks"]) for r in rows]
        parts = [f"{k} {fit_exponent(xs, [r[k + '_s'] for r in rows]):.2f}"
                 for k in ("floor", "polars", "xlsx", "parquet")
                 if all(k + "_s" in r for r in rows)]
        mem = ", ".join(f"{k} {fit_exponent(xs, [r[k + '_mb'] for r in rows]):.2f}"
                        for k in ("xlsx", "parquet"))
        lines.append("fitted exponent k (seconds ∝ workbooks^k): " + ", ".join(parts))
        lines.append("fitted exponent of peak MB: " + mem)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.consolidation")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--counts", default="100,400,1469")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true", help="print the rows as JSON too")
    a = p.parse_args(argv)
    if a.child:
        r = _child(a.child, Path(a.path), Path(a.out) if a.out else None)
        print(json.dumps(r))
        return
    counts = tuple(int(x) for x in a.counts.split(","))
    rows = run(counts, a.repeat)
    print(f"consolidation, best of {a.repeat} fresh processes; {os.cpu_count()} cores, "
          f"{sys.platform}")
    print(_table(rows))
    if a.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
