"""koshtorys benchmarks: each figure beside its floor, as a ratio.

    python -m benchmarks.run            # full size (about 2–4 minutes)
    python -m benchmarks.run --quick    # small sizes, a smoke run

Figures (best of ``--repeat`` runs, each in a fresh subprocess so peak RSS is its own;
the peak is the child's VmHWM: ``ru_maxrss`` survives exec, so a child of this process
would report this process's own peak):

* refresh of a large institution workbook   vs  bare openpyxl load + save of the same file
* request generation for 60 programs         vs  the 10 s target
* consolidation of 100 institution workbooks vs  reading the same files with python-calamine
* scaling: refresh at three sizes (rows of each table ×0.25, ×0.5, ×1)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


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


def _child(task: str, args: list[str]) -> dict[str, float]:
    """Run one measured task in a fresh interpreter; return its seconds and peak RSS."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.run", "--task", task, *args],
                         cwd=HERE.parent, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark task {task} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(task: str, args: list[str], repeat: int) -> dict[str, float]:
    runs = [_child(task, args) for _ in range(repeat)]
    return {"seconds": min(r["seconds"] for r in runs), "rss_mb": max(r["rss_mb"] for r in runs)}


# ---- tasks run in the child --------------------------------------------------------------

def _task(task: str, path: Path, extra: str | None) -> float:
    if task == "floor":
        import openpyxl

        t = time.perf_counter()
        wb = openpyxl.load_workbook(path)
        wb.save(path)
        return time.perf_counter() - t
    if task == "refresh":
        from koshtorys import parts
        from koshtorys.xlsx import FileBook

        t = time.perf_counter()
        book = FileBook.open(path)
        parts.refresh(book)
        book.save()
        return time.perf_counter() - t
    if task == "requests":
        from koshtorys.commands.request import make_requests

        t = time.perf_counter()
        make_requests(path, Path(extra or path.parent / "req"), say=lambda _m: None)
        return time.perf_counter() - t
    if task == "calamine":
        from python_calamine import CalamineWorkbook

        t = time.perf_counter()
        for f in sorted(path.glob("*.xlsx")):
            wb = CalamineWorkbook.from_path(str(f))
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()
        return time.perf_counter() - t
    if task == "consolidate":
        from koshtorys.commands.consolidate import consolidate_dir

        t = time.perf_counter()
        consolidate_dir(path, Path(extra or path.parent / "cons.xlsx"), say=lambda _m: None)
        return time.perf_counter() - t
    raise SystemExit(f"unknown task {task}")


# ---- preparing inputs ---------------------------------------------------------------------

def _institution(path: Path, scale: float, seed: int = 7, name: str = "Установа") -> None:
    from benchmarks.generate import institution_frames
    from koshtorys.xlsx.template import build_workbook

    build_workbook(path, lang="uk", sample=institution_frames(scale, seed, name))


def _refreshed_copies(src: Path, folder: Path, n: int) -> None:
    """``n`` refreshed institution workbooks (different seeds would only cost time)."""
    from koshtorys import parts
    from koshtorys.xlsx import FileBook

    book = FileBook.open(src)
    parts.refresh(book)
    book.save()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        shutil.copyfile(src, folder / f"inst_{i:03d}.xlsx")


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--task")
    ap.add_argument("--path")
    ap.add_argument("--extra")
    a = ap.parse_args()
    if a.task:
        secs = _task(a.task, Path(a.path), a.extra)
        print(json.dumps({"seconds": secs, "rss_mb": _peak_rss_mb()}))
        return

    scale = 0.1 if a.quick else 1.0
    n_inst = 10 if a.quick else 100
    rows: list[tuple[str, dict[str, float], str, dict[str, float] | None, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="kosht-bench-") as tmp:
        tmpd = Path(tmp)

        def measured(task: str, src: Path, extra: str | None = None) -> dict[str, float]:
            runs = []
            for _ in range(a.repeat):
                work = tmpd / f"work{src.suffix}"
                shutil.copyfile(src, work)
                runs.append(_child(task, ["--path", str(work)] + (["--extra", extra] if extra
                                                                   else [])))
            return {"seconds": min(r["seconds"] for r in runs),
                    "rss_mb": max(r["rss_mb"] for r in runs)}

        print("refresh at three sizes, each vs openpyxl load+save …", flush=True)
        scaling = []
        for s in (0.25, 0.5, 1.0):
            p = tmpd / f"scale{s}.xlsx"
            _institution(p, s * scale)
            # refresh once so both the floor and the refresh see a file with outputs in it
            _refreshed_copies(p, tmpd / "unused", 0)
            f = measured("floor", p)
            r = measured("refresh", p)
            scaling.append((s * scale, *_table_rows(p), r, f, p.stat().st_size / 1e6))
        big = tmpd / "scale1.0.xlsx"
        _s, n_in, n_out, ref, floor, mb = scaling[-1]
        print(f"  large workbook: {n_in} input rows, {n_out} output rows, {mb:.1f} MB",
              flush=True)
        rows.append(("refresh (large institution)", ref, "openpyxl load+save", floor,
                     floor["seconds"], 1.0))

        print("requests …", flush=True)
        req = measured("requests", big, str(tmpd / "req"))
        rows.append((f"requests ({int(60 * scale) or 1} programs)", req, "target 10 s", None,
                     10.0, 1.0))

        print(f"consolidation of {n_inst} workbooks …", flush=True)
        small = tmpd / "inst.xlsx"
        _institution(small, 0.1 if not a.quick else 0.05)
        _refreshed_copies(small, tmpd / "many", n_inst)
        cal = _best("calamine", ["--path", str(tmpd / "many")], a.repeat)
        con = _best("consolidate", ["--path", str(tmpd / "many"), "--extra",
                                    str(tmpd / "cons.xlsx")], a.repeat)
        rows.append((f"consolidate {n_inst} workbooks", con, "calamine read", cal,
                     cal["seconds"], 2.0))

    print()
    print(f"{'figure':28} {'seconds':>7} {'peak MB':>7}   {'floor':18} {'seconds':>7} "
          f"{'peak MB':>7} {'ratio':>6} {'target':>7}")
    for name, fig, floor_name, fl, floor_s, target in rows:
        fl_mb = f"{fl['rss_mb']:7.0f}" if fl else f"{'':7}"
        print(f"{name:28} {fig['seconds']:7.2f} {fig['rss_mb']:7.0f}   {floor_name:18} "
              f"{floor_s:7.2f} {fl_mb} {fig['seconds'] / floor_s:6.2f} {'≤ ' + str(target):>7}")
    print()
    print("refresh by size (rows of every input table × scale):")
    print(f"{'scale':>6} {'input rows':>10} {'output rows':>11} {'refresh s':>9} "
          f"{'peak MB':>7} {'load+save s':>11} {'peak MB':>7} {'ratio':>6} {'file MB':>7}")
    for s, n_in, n_out, r, f, mb in scaling:
        print(f"{s:6.3f} {n_in:10d} {n_out:11d} {r['seconds']:9.2f} {r['rss_mb']:7.0f} "
              f"{f['seconds']:11.2f} {f['rss_mb']:7.0f} {r['seconds'] / f['seconds']:6.2f} "
              f"{mb:7.2f}")


if __name__ == "__main__":
    main()
