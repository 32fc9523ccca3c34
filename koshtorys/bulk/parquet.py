"""Tables as one Parquet dataset: a folder ``NAME.parquet`` holding ``<table>.parquet`` each.

For more rows than a worksheet holds. pyarrow writes it (the reference implementation
of Arrow and Parquet, and already what pandas uses for Parquet); DuckDB, Spark, polars
and any Arrow reader query the files as they are::

    SELECT kpkvk, SUM(amount) FROM 'cons.parquet/tblConsCostByKekv.parquet' GROUP BY 1

Types follow the schema: money is DECIMAL(18, 2) — exact kopiykas, so sums over millions
of rows stay exact in any reader — codes, texts and enumeration values are strings
(codes keep their zeros; enumerations hold their codes, as machine tables do), whole
numbers and years are integers, shares floats. Each column carries its Ukrainian header
in its field metadata, each file its table's title. The folder is written beside the
target and renamed into place, so a reader never sees half a dataset.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from koshtorys.core import schema
from koshtorys.core.errors import WorkbookError
from koshtorys.core.money import to_units_array

__all__ = ["write_dataset", "arrow_table", "MONEY_TYPE"]

MONEY_TYPE = pa.decimal128(18, 2)
"""UAH with kopiykas: up to 10¹⁶ hryvnias, exact."""
_TYPES = {"number": pa.float64(), "share": pa.float64(), "int": pa.int64(),
          "year": pa.int32(), "bool": pa.bool_()}


def _money(values: pd.Series) -> pa.Array:
    """Amounts as DECIMAL(18, 2), rounded to the kopiyka half away from zero."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    blank = ~np.isfinite(x)
    units = to_units_array(np.where(blank, 0.0, x))
    words = np.empty((len(units), 2), dtype="<i8")  # 128-bit little-endian integers
    words[:, 0] = units
    words[:, 1] = np.where(units < 0, -1, 0)
    mask = pa.array(~blank, type=pa.bool_()).buffers()[1] if blank.any() else None
    return pa.Array.from_buffers(MONEY_TYPE, len(units), [mask, pa.py_buffer(words.tobytes())],
                                 null_count=int(blank.sum()))


def _column(c: schema.Column, values: pd.Series) -> pa.Array:
    if c.kind == "money":
        return _money(values)
    kind = _TYPES.get(c.kind)
    if kind is None:  # text, code, enum: strings, a blank is null
        try:
            return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a number in a text column
            return pa.array([None if v is None or (isinstance(v, float) and v != v)
                             else str(v) for v in values], type=pa.string())
    if kind in (pa.int64(), pa.int32()):
        x = pd.to_numeric(values, errors="coerce")
        return pa.array(x.round().astype("Int64"), type=kind, from_pandas=True)
    if kind == pa.bool_():
        return pa.array([None if v is None else bool(v) for v in values], type=kind)
    return pa.array(pd.to_numeric(values, errors="coerce"), type=kind, from_pandas=True)


def arrow_table(t: schema.Table, df: pd.DataFrame) -> pa.Table:
    """``df`` (columns = ``t``'s keys, values = codes) as an Arrow table of ``t``'s types."""
    fields, arrays = [], []
    for c in t.columns:
        values = df[c.key] if c.key in df.columns else pd.Series([None] * len(df))
        arr = _column(c, values.reset_index(drop=True))
        fields.append(pa.field(c.key, arr.type, metadata={"header_uk": c.uk}))
        arrays.append(arr)
    meta = {"koshtorys.table": t.name, "title_uk": t.title_uk, "title_en": t.title_en}
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def write_dataset(target: Path, tables: Sequence[tuple[schema.Table, pd.DataFrame]]) -> Path:
    """Write ``target`` (a folder, replaced whole) with one Parquet file per table."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".~kosht-", suffix=".parquet", dir=parent))
    except OSError as exc:
        raise WorkbookError("cannot_write_in", folder=parent, reason=exc.strerror) from exc
    old: Path | None = None
    try:
        for t, df in tables:
            pq.write_table(arrow_table(t, df), tmp / f"{t.name}.parquet", compression="snappy")
        os.chmod(tmp, 0o755)
        if target.exists() or target.is_symlink():
            old = target.with_name(f".~kosht-old-{os.getpid()}-{target.name}")
            os.replace(target, old)
        os.replace(tmp, target)
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old, target)
            old = None
        raise WorkbookError("cannot_write", name=target.name, reason=exc.strerror) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    return target
