"""koshtorys benchmarks: each figure beside its floors, as a ratio.

    python -m benchmarks.run            # full size (about 5–8 minutes on 2 cores)
    python -m benchmarks.run --quick    # small sizes, a smoke run

Every figure is the best of ``--repeat`` runs, each in a fresh interpreter, with that
process's own peak resident memory (VmHWM; ``ru_maxrss`` survives exec, so a child would
report its parent's peak). Refresh is measured **after an input change**: the workbook
was refreshed once, then one cost amount, one plan month and one need were changed
(``FileBook.update_table``), so every part's output tables must be written again.
Refresh, the adapter alone and the two floors take turns run by run (this machine is a
shared VM whose speed drifts for seconds at a time: measured one figure after the other,
the same code measured 2.4 and 2.7 minutes apart).

Floors printed beside refresh:

* I/O floor — inflate every zip entry and write all of them to a new zip at deflate
  level 6 (the level Excel and openpyxl write): what any tool that rewrites the file
  must at least do;
* read floor — python-calamine reading the sheets refresh reads (the input tables),
  the fastest reader there is;
* openpyxl load+save — the peer users know (it also drops cached values and
  sparklines, see FACTS.md).

More figures, each beside its floor measured in the same run:

* worksheet functions — ``unit_costs``, ``variance`` and ``funding``, each called with
  plain 2-D ranges (header row first, as Excel passes them) against its part's engine
  call (``compute_costs``, ``compute_variance``, ``compute_funding``) on the frames
  already converted from the same ranges (best of 60 calls in one process, after a
  first call: the add-in's Python stays up between calls); target ≤ 1.5×. Printed
  under each: the function against "engine + bare in/out" — the engine plus the least
  any function must do with the same cells (each input cell into a column array, each
  output cell boxed into the result's lists, no validation), timed in the same loop;
* startup — ``python -m koshtorys.cli check`` of a small workbook against
  ``python -c "import pandas"``, each in a fresh interpreter, best of ``--repeat`` × 3,
  with bytecode cached as an installed package has it (``PYTHONPYCACHEPREFIX`` in the
  run's temporary folder, warmed once); target ≤ 1.5×;
* consolidation (a quick figure) — ``consolidate`` of 100 distinct small institutions
  against python-calamine reading the sheets it needs from them; the national-scale
  figures are ``python -m benchmarks.consolidation``.

Every child runs with bytecode cached as an installed package has it (the first of the
repeated runs writes it to the run's folder); only the first run of each figure pays for
compiling.

``adapter`` is the file adapter's part alone: ``read_tables`` + ``write_tables`` (of
frames computed beforehand) + ``save``, without validation and the engine.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALES = (1.0, 4.0, 16.0)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not on Windows; ru_maxrss is bytes on macOS, KiB on Linux

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


_CHILD_ENV: dict[str, str] | None = None


def _child_env(tmp: Path) -> dict[str, str]:
    """The children's environment: koshtorys with the bytecode an installed package has.
    This VM sets ``PYTHONDONTWRITEBYTECODE=1``, which would make every child compile the
    modules a command imports while it runs (~10–15 ms of a ×1 refresh); the bytecode goes
    to the run's own folder instead, written by the first of the repeated runs."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def _child(task: str, args: list[str]) -> dict[str, float]:
    """Run one measured task in a fresh interpreter; return its seconds and peak RSS."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.run", "--task", task, *args],
                         cwd=HERE.parent, capture_output=True, text=True, check=False,
                         env=_CHILD_ENV)
    if out.returncode != 0:
        raise SystemExit(f"benchmark task {task} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- tasks run in the child --------------------------------------------------------------

def _input_sheets(path: Path) -> list[str]:
    from koshtorys import parts
    from koshtorys.xlsx import FileBook

    index = FileBook.open(path, check_lock=False).index
    names = parts.input_tables_for(tuple(parts.PARTS))
    return sorted({t.sheet for n in names if (t := index.table(n)) is not None})


def _task(task: str, path: Path, extra: str | None) -> float:
    if task == "openpyxl":
        import openpyxl

        t = time.perf_counter()
        wb = openpyxl.load_workbook(path)
        wb.save(path)
        return time.perf_counter() - t
    if task == "io_floor":
        t = time.perf_counter()
        with zipfile.ZipFile(path) as src, \
                zipfile.ZipFile(path.with_suffix(".copy.zip"), "w", zipfile.ZIP_DEFLATED,
                                compresslevel=int(extra or 6)) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info))
        return time.perf_counter() - t
    if task == "read_floor":
        from python_calamine import CalamineWorkbook

        sheets = _input_sheets(path)
        t = time.perf_counter()
        wb = CalamineWorkbook.from_path(str(path))
        for name in sheets:
            wb.get_sheet_by_name(name).to_python()
        return time.perf_counter() - t
    if task == "refresh":  # what `koshtorys refresh PATH` does, without the printing
        from koshtorys.commands.refresh import refresh
        from koshtorys.xlsx import FileBook

        t = time.perf_counter()
        refresh(FileBook.open(path))
        return time.perf_counter() - t
    if task == "adapter":
        from koshtorys import parts
        from koshtorys.xlsx import FileBook, zipwrite

        level, _, where = (extra or "").rpartition("@")
        if level:  # the deflate-level table: the same run at another level
            zipwrite.DEFLATE_LEVEL = int(level)
        frames, lang = pickle.loads(Path(where).read_bytes())
        t = time.perf_counter()
        book = FileBook.open(path)
        book.read_tables(parts.input_tables_for(tuple(parts.PARTS)))
        book.write_tables(frames, lang)
        book.save()
        return time.perf_counter() - t
    if task == "requests":
        from koshtorys.commands.request import request
        from koshtorys.xlsx import FileBook

        t = time.perf_counter()
        request(FileBook.open(path, check_lock=False), Path(extra or path.parent / "req"))
        return time.perf_counter() - t
    if task == "calamine":  # consolidation's read floor: the sheets it reads
        from python_calamine import CalamineWorkbook

        from benchmarks.consolidation import _needed_sheets

        sheets = _needed_sheets()
        t = time.perf_counter()
        for f in sorted(path.glob("*.xlsx")):
            wb = CalamineWorkbook.from_path(str(f))
            for name in sheets:
                wb.get_sheet_by_name(name).to_python()
        return time.perf_counter() - t
    if task == "consolidate":
        from koshtorys.commands.consolidate import consolidate_folder

        t = time.perf_counter()
        consolidate_folder(path, Path(extra or path.parent / "cons.xlsx"))
        return time.perf_counter() - t
    raise SystemExit(f"unknown task {task}")


UDFS = {  # worksheet function → (its part, the tables it is given, in order)
    "unit_costs": ("costing", ["tblServices", "tblStaff", "tblTime", "tblCosts", "tblSettings"]),
    "variance": ("execution", ["tblPlan", "tblActuals", "tblSettings"]),
    "funding": ("funding", ["tblNeeds", "tblSources", "tblSettings"]),
}


def _udf_figure(scale: float, function: str = "unit_costs") -> dict[str, float]:
    """A worksheet function from plain ranges against its part's engine call on the
    frames converted from the same ranges: best seconds of each."""
    import numpy as np

    from benchmarks.generate import institution_frames
    from koshtorys import parts
    from koshtorys.convert import convert_inputs
    from koshtorys.core import schema
    from koshtorys.core.book import frame_rows, raw_from_rows
    from udfs import functions  # the worktree's, not whatever koshtorys.udfs maps to

    part, names = UDFS[function]
    frames = institution_frames(scale)
    grids = {}
    for n in names:
        t, df = schema.table(n), frames[n]
        rows = [[float(v) if type(v) is int else v for v in r]  # Excel passes floats
                for r in frame_rows(df, list(df.columns))]
        grids[n] = [[t.column(k).header("uk") for k in df.columns], *rows]
    inputs = convert_inputs({n: raw_from_rows(n, grids[n]) for n in names}, names)
    f, st = inputs.frames, inputs.settings
    fn = getattr(functions, function)

    def engine() -> object:
        return parts.PARTS[part].run(f, st, "uk")

    def udf() -> object:
        return fn(*(grids[n] for n in names))

    output = parts.PARTS[part].function_output
    numeric = {n: [schema.table(n).column(k).kind in ("number", "money", "share", "int",
                                                      "year") for k in frames[n].columns]
               for n in names}

    def bare() -> object:
        """The least any function must do besides the engine: each input cell touched
        once (the ranges as column arrays, numbers as floats, no validation), the
        engine, each output cell boxed once (the rows as lists, no labels)."""
        for n in names:
            for col, is_number in zip(zip(*grids[n][1:], strict=False), numeric[n],
                                      strict=False):
                np.array(col, dtype=float if is_number else object)
        df = engine()[0][output]  # type: ignore[index]
        out = np.empty(df.shape, dtype=object)
        for j, k in enumerate(df.columns):
            out[:, j] = df[k].to_numpy()
        return out.tolist()

    best = {"engine": math.inf, "udf": math.inf, "bare": math.inf}
    engine(), udf(), bare()
    for _ in range(60):  # alternate, so all see the same machine; a minimum of 60:
        # on this shared VM a best of 25 still moved the ratio 1.37–1.73 run to run
        for call, key in ((engine, "engine"), (udf, "udf"), (bare, "bare")):
            t = time.perf_counter()
            call()
            best[key] = min(best[key], time.perf_counter() - t)
    return {"seconds": best["udf"], "floor": best["engine"], "bare": best["bare"],
            "rss_mb": _peak_rss_mb(),
            "rows": float(sum(len(frames[n]) for n in names if n != "tblSettings"))}


def _startup(small: Path, tmp: Path, repeat: int) -> dict[str, float]:
    """Best wall time of `koshtorys check small` and of `import pandas`, fresh processes."""
    import os

    env = _child_env(tmp)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    work = tmp / "startup.xlsx"
    cmds = {"floor": [sys.executable, "-c", "import pandas"],
            "seconds": [sys.executable, "-m", "koshtorys.cli", "check", str(work)]}
    best = {k: math.inf for k in cmds}
    for i in range(1 + 3 * repeat):  # the first round writes the bytecode: not counted
        for key, cmd in cmds.items():
            shutil.copyfile(small, work)
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, check=False)
            if i:
                best[key] = min(best[key], time.perf_counter() - t)
    return best


# ---- preparing inputs ---------------------------------------------------------------------

def _institution(path: Path, scale: float, seed: int = 7, name: str = "Установа") -> None:
    from benchmarks.generate import institution_frames
    from koshtorys.xlsx.template import build_workbook

    build_workbook(path, lang="uk", sample=institution_frames(scale, seed, name))


def _institutions(base: Path, folder: Path, count: int) -> None:
    """``count`` distinct institutions made from ``base`` (own name, ЄДРПОУ, codes and
    amounts): copies of one book would be left out by consolidation as duplicates."""
    from benchmarks.consolidation import _base_outputs, _variant

    made = _base_outputs(base)
    for i in range(count):
        _variant(base, made, folder / f"inst_{i:03d}.xlsx", i)


def _refresh(path: Path) -> None:
    from koshtorys.commands.refresh import refresh
    from koshtorys.xlsx import FileBook

    refresh(FileBook.open(path))


def _change_inputs(path: Path) -> None:
    """One cost amount, one plan month and one need changed: every part's outputs move."""
    from koshtorys.core import schema
    from koshtorys.xlsx import FileBook

    book = FileBook.open(path)
    raw = book.read_tables(["tblCosts", "tblPlan", "tblNeeds"])
    for name, key in (("tblCosts", "amount"), ("tblPlan", "m01"), ("tblNeeds", "base_amount")):
        j = schema.match_columns(schema.table(name), raw[name].headers)[key]
        book.update_table(name, {(0, key): float(raw[name].rows[0][j]) + 1000.0}, [])
    book.save()


def _frames(path: Path, out: Path) -> None:
    """The output frames refresh would write, for the adapter-only figure."""
    from koshtorys import parts
    from koshtorys.core.checks import checks_frame
    from koshtorys.xlsx import FileBook

    book = FileBook.open(path)
    result = parts.evaluate(book)
    frames = dict(result.outputs)
    frames["tblChecks"] = checks_frame(result.checks, book.language())
    out.write_bytes(pickle.dumps((frames, book.language())))


def _table_rows(path: Path) -> tuple[int, int]:
    """(input rows, output rows) of the workbook's tables."""
    from koshtorys.core import schema
    from koshtorys.xlsx import FileBook

    inputs = {t.name.lower() for t in schema.INPUT_TABLES if t.name != "tblSettings"}
    n_in = n_out = 0
    for key, t in FileBook.open(path, check_lock=False).index.tables.items():
        n = t.data_end - t.top + 1
        if key in inputs:
            n_in += n
        elif key != "tblsettings":
            n_out += n
    return n_in, n_out


def _rewritten_parts(before: Path, after: Path) -> list[bytes]:
    """Contents of the parts that a refresh rewrote (to measure deflate levels on)."""
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(after) as b:
        old = {i.filename: i.CRC for i in a.infolist()}
        return [b.read(i) for i in b.infolist() if old.get(i.filename) != i.CRC]


def _deflate_table(parts: list[bytes]) -> list[tuple[str, int, float, float]]:
    """(library, level, seconds, MB) deflating ``parts``, best of three: the codec the
    adapter writes with (ISA-L at levels 1 and 3) beside zlib at 1 and 6."""
    from koshtorys.xlsx import codec

    out = []
    for lib, level in ((codec.ENGINE, 1), (codec.ENGINE, 3), ("zlib", 1), ("zlib", 6)):
        best = math.inf
        size = 0
        for _ in range(3):
            t = time.perf_counter()
            size = 0
            for p in parts:
                c = zlib.compressobj(level, zlib.DEFLATED, -15) if lib == "zlib" \
                    else codec.compressobj(level)
                size += len(c.compress(p)) + len(c.flush())
            best = min(best, time.perf_counter() - t)
        out.append((lib, level, best, size / 1e6))
    return out


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y on log x (1.0 = linear)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / \
        sum((a - mx) ** 2 for a in lx)


# ---- the run --------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scales", default=",".join(str(s) for s in SCALES),
                    help="refresh sizes, times the large institution (default 1,4,16)")
    ap.add_argument("--only-refresh", action="store_true",
                    help="skip the requests and consolidation figures")
    ap.add_argument("--task")
    ap.add_argument("--path")
    ap.add_argument("--extra")
    a = ap.parse_args()
    if a.task:
        secs = _task(a.task, Path(a.path), a.extra)
        print(json.dumps({"seconds": secs, "rss_mb": _peak_rss_mb()}))
        return

    unit = 0.05 if a.quick else 1.0
    scales = [float(s) for s in a.scales.split(",")]
    n_inst = 10 if a.quick else 100
    with tempfile.TemporaryDirectory(prefix="kosht-bench-") as tmp:
        tmpd = Path(tmp)
        global _CHILD_ENV
        _CHILD_ENV = _child_env(tmpd)

        def side_by_side(src: Path, figures: dict[str, tuple[str, str | None]]
                         ) -> dict[str, dict[str, float]]:
            """Each figure (name → task, extra) best of ``--repeat`` runs, the figures
            taking turns (refresh, its floors, refresh, …): a figure and its floor see
            the machine in the same state, so a busy spell on a shared host moves both
            rather than the ratio."""
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in figures}
            for _ in range(a.repeat):
                for name, (task, extra) in figures.items():
                    work = tmpd / f"work{src.suffix}"
                    shutil.copyfile(src, work)
                    runs[name].append(_child(task, ["--path", str(work)]
                                             + (["--extra", extra] if extra else [])))
            return {name: {"seconds": min(r["seconds"] for r in got),
                           "rss_mb": max(r["rss_mb"] for r in got)}
                    for name, got in runs.items()}

        def measured(task: str, src: Path, extra: str | None = None) -> dict[str, float]:
            return side_by_side(src, {task: (task, extra)})[task]

        rows: list[dict[str, object]] = []
        deflate: list[tuple[str, int, float, float]] = []
        floors6: list[tuple[int, float]] = []
        levels: list[tuple[int, float, float]] = []
        for s in scales:
            print(f"refresh ×{s:g} …", flush=True)
            p = tmpd / f"scale{s:g}.xlsx"
            _institution(p, s * unit)
            _refresh(p)
            _change_inputs(p)
            frames = tmpd / f"frames{s:g}.pickle"
            _frames(p, frames)
            row: dict[str, object] = {"scale": s, "rows": _table_rows(p),
                                      "mb": p.stat().st_size / 1e6}
            row |= side_by_side(p, {"refresh": ("refresh", None),
                                    "adapter": ("adapter", f"@{frames}"),
                                    "io": ("io_floor", "6"), "read": ("read_floor", None)})
            row["openpyxl"] = measured("openpyxl", p) if s == scales[0] else None
            if s == scales[-1]:
                done = tmpd / "done.xlsx"
                shutil.copyfile(p, done)
                _refresh(done)
                deflate = _deflate_table(_rewritten_parts(p, done))
                floors6 = [(lv, measured("io_floor", p, str(lv))["seconds"]) for lv in (1,)]
                for lv in (1, 3, 6):
                    fig = measured("adapter", p, f"{lv}@{frames}")
                    out = tmpd / f"work{p.suffix}"  # what the last run of the figure wrote
                    levels.append((lv, fig["seconds"], out.stat().st_size / 1e6))
            rows.append(row)

        others: list[tuple[str, dict[str, float], str, dict[str, float] | None, float,
                           float]] = []
        print("worksheet functions …", flush=True)
        for function in UDFS:
            udf = json.loads(subprocess.run(
                [sys.executable, "-c", "import json, benchmarks.run as r; "
                 f"print(json.dumps(r._udf_figure({unit * scales[0]!r}, {function!r})))"],
                cwd=HERE.parent, capture_output=True, text=True, check=True).stdout)
            others.append((f"{function} UDF ({int(udf['rows'])} rows)", udf, "engine alone",
                           None, udf["floor"], 1.5))
        print("startup …", flush=True)
        small = tmpd / "small.xlsx"
        _institution(small, 0.05)
        _refresh(small)
        boot = _startup(small, tmpd, a.repeat)
        others.append(("koshtorys check (small)", {"seconds": boot["seconds"], "rss_mb": 0.0},
                       "import pandas", None, boot["floor"], 1.5))
        if not a.only_refresh:
            big = tmpd / f"scale{scales[0]:g}.xlsx"
            print("requests …", flush=True)
            req = measured("requests", big, str(tmpd / "req"))
            others.append((f"requests ({max(int(60 * unit * scales[0]), 1)} programs)", req,
                           "target 10 s", None, 10.0, 1.0))
            print(f"consolidation of {n_inst} workbooks …", flush=True)
            small = tmpd / "inst.xlsx"
            _institution(small, 0.1 if not a.quick else 0.05)
            _refresh(small)
            (tmpd / "many").mkdir()
            _institutions(small, tmpd / "many", n_inst)
            cal = _best("calamine", ["--path", str(tmpd / "many")], a.repeat)
            con = _best("consolidate", ["--path", str(tmpd / "many"), "--extra",
                                        str(tmpd / "cons.xlsx")], a.repeat)
            others.append((f"consolidate {n_inst} workbooks", con, "calamine read", cal,
                           cal["seconds"], 3.0))
    _report(rows, others, deflate, floors6, levels)


def _best(task: str, args: list[str], repeat: int) -> dict[str, float]:
    runs = [_child(task, args) for _ in range(repeat)]
    return {"seconds": min(r["seconds"] for r in runs), "rss_mb": max(r["rss_mb"] for r in runs)}


def _report(rows: list[dict[str, object]], others: list[tuple[str, dict[str, float], str,
            dict[str, float] | None, float, float]],
            deflate: list[tuple[str, int, float, float]],
            floors6: list[tuple[int, float]], levels: list[tuple[int, float, float]]) -> None:
    def sec(row: dict[str, object], key: str) -> float:
        return row[key]["seconds"]  # type: ignore[index]

    def mb(row: dict[str, object], key: str) -> float:
        return row[key]["rss_mb"]  # type: ignore[index]

    first = rows[0]
    print()
    print(f"refresh after an input change, ×{first['scale']:g} "
          f"({first['rows'][0]} input rows, {first['rows'][1]} output rows, "  # type: ignore[index]
          f"{first['mb']:.1f} MB)")
    print(f"{'figure':24} {'seconds':>8} {'peak MB':>8} {'× I/O floor':>12}")
    io = sec(first, "io")
    for label, key in (("refresh", "refresh"), ("adapter alone", "adapter"),
                       ("I/O floor (deflate 6)", "io"), ("read floor (calamine)", "read"),
                       ("openpyxl load+save", "openpyxl")):
        if first.get(key) is None:
            continue
        print(f"{label:24} {sec(first, key):8.2f} {mb(first, key):8.0f} "
              f"{sec(first, key) / io:12.2f}")
    for name, fig, floor_name, fl, floor_s, target in others:
        fl_mb = f"{fl['rss_mb']:7.0f} MB" if fl else f"{'':10}"
        fig_mb = f"{fig['rss_mb']:5.0f}" if fig["rss_mb"] else f"{'–':>5}"
        print(f"{name:28} {fig['seconds']:7.3f} s {fig_mb} MB   {floor_name:14} "
              f"{floor_s:6.3f} s {fl_mb}  ratio {fig['seconds'] / floor_s:5.2f} "
              f"(target ≤ {target})")
        if "bare" in fig:  # a worksheet function: the floor that also moves its cells
            print(f"{'':28} {'':7}   {'':5}      {'engine + bare in/out':20} "
                  f"{fig['bare']:6.3f} s {'':10} ratio {fig['seconds'] / fig['bare']:5.2f}")
    print()
    print("refresh by size (rows of every input table × scale):")
    print(f"{'scale':>5} {'in rows':>8} {'out rows':>8} {'file MB':>7} {'refresh s':>9} "
          f"{'peak MB':>7} {'adapter s':>9} {'peak MB':>7} {'I/O s':>6} {'read s':>6} "
          f"{'×I/O':>5} {'adapter ×I/O':>12}")
    for r in rows:
        n_in, n_out = r["rows"]  # type: ignore[misc]
        print(f"{r['scale']:5g} {n_in:8d} {n_out:8d} {r['mb']:7.1f} {sec(r, 'refresh'):9.2f} "
              f"{mb(r, 'refresh'):7.0f} {sec(r, 'adapter'):9.2f} {mb(r, 'adapter'):7.0f} "
              f"{sec(r, 'io'):6.2f} {sec(r, 'read'):6.2f} "
              f"{sec(r, 'refresh') / sec(r, 'io'):5.2f} {sec(r, 'adapter') / sec(r, 'io'):12.2f}")
    if len(rows) > 1:
        xs = [float(r["scale"]) for r in rows]  # type: ignore[arg-type]
        print(f"fitted exponent (log-log slope; 1.00 = linear): refresh "
              f"{_slope(xs, [sec(r, 'refresh') for r in rows]):.2f}, adapter "
              f"{_slope(xs, [sec(r, 'adapter') for r in rows]):.2f}, I/O floor "
              f"{_slope(xs, [sec(r, 'io') for r in rows]):.2f}, refresh peak memory "
              f"{_slope(xs, [mb(r, 'refresh') for r in rows]):.2f}")
    if deflate:
        last = rows[-1]
        print()
        print(f"deflate level of the rewritten parts (×{last['scale']:g}: the parts one "
              "refresh after the change rewrote):")
        print(f"{'library':>7} {'level':>5} {'deflate s':>9} {'parts MB':>8} {'adapter s':>9} "
              f"{'file MB':>7} {'I/O floor s':>11}")
        whole = dict(floors6) | {6: sec(last, "io")}  # the floor is zipfile, i.e. zlib
        nan = float("nan")
        runs = {lv: (t, mb) for lv, t, mb in levels}  # the codec: ISA-L ≤ 3, zlib above
        for lib, level, s, size in deflate:
            ran = (lib == "zlib") == (level > 3)
            t, mb = runs.get(level, (nan, nan)) if ran else (nan, nan)
            floor = whole.get(level, nan) if lib == "zlib" else nan
            print(f"{lib:>7} {level:5d} {s:9.2f} {size:8.2f} {t:9.2f} {mb:7.2f} {floor:11.2f}")
        print("(deflate s: the library alone on the rewritten parts; adapter s and file MB: "
              "the adapter alone writing at that level; I/O floor s: zipfile copying the "
              "whole file at that zlib level)")


if __name__ == "__main__":
    main()
