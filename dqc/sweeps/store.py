"""The results table: CSV or Parquet, written as points finish, resumable.

* ``.csv``: a header, then one line per point appended and flushed as it finishes; a
  line cut short by an interruption is dropped on the next open.
* ``.parquet``: rows go to a journal next to it (``RESULTS.parquet.journal``, one JSON
  line per row, flushed), and :meth:`Store.finish` (or the next open) folds the journal
  into the Parquet file, written whole (temporary file, then rename).

At the end both are rewritten in grid order (the ``point`` column), so the same spec
gives the same table whatever order the points finished in (timings aside).
:meth:`Store.recorded` is the set of ``input_hash`` values already in the table: a
re-run computes only the others. pyarrow is needed for Parquet only.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dqc.sweeps.spec import SpecError

__all__ = ["Store", "open_store", "read_table"]

Columns = list[tuple[str, str]]


def _pyarrow() -> Any:
    try:
        import pyarrow  # lazy: optional extra (sweep)
        import pyarrow.parquet  # lazy: optional extra (sweep)
    except ImportError:
        raise SpecError('writing Parquet needs pyarrow: pip install ".[sweep]" '
                        "(or pip install pyarrow), or write to a .csv file") from None
    return pyarrow


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _parse(text: str, kind: str) -> Any:
    if text == "":
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text == "true"
    return text


class Store:
    """An open results table (:func:`open_store`)."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.path, self.columns = path, columns
        self.names = [name for name, _ in columns]
        self.parquet = path.suffix == ".parquet"
        self.journal = path.with_name(path.name + ".journal")
        self._handle: Any = None

    # ---------------------------------------------------------------- reading
    def rows(self) -> list[dict[str, Any]]:
        """Every row recorded so far (Parquet file and journal, or the CSV lines)."""
        if self.parquet:
            out = read_table(self.path, self.columns) if self.path.exists() else []
            if self.journal.exists():
                for line in self.journal.read_text(encoding="utf-8").splitlines():
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue  # a line cut short by an interruption
            return out
        return read_table(self.path, self.columns) if self.path.exists() else []

    def recorded(self) -> set[str]:
        """The ``input_hash`` of every recorded point."""
        return {row["input_hash"] for row in self.rows()}

    # ---------------------------------------------------------------- writing
    def _open_csv(self) -> Any:
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb+") as raw:  # drop a line cut short
                data = raw.read()
                if not data.endswith(b"\n"):
                    raw.truncate(data.rfind(b"\n") + 1)
            return open(self.path, "a", encoding="utf-8", newline="")
        handle = open(self.path, "w", encoding="utf-8", newline="")
        csv.writer(handle).writerow(self.names)
        return handle

    def append(self, rows: Iterable[dict[str, Any]]) -> None:
        """Record ``rows`` now (flushed to the file)."""
        if self._handle is None:
            self._handle = (open(self.journal, "a", encoding="utf-8") if self.parquet
                            else self._open_csv())
        for row in rows:
            if self.parquet:
                self._handle.write(json.dumps({n: row.get(n) for n in self.names}) + "\n")
            else:
                csv.writer(self._handle).writerow([_text(row.get(n)) for n in self.names])
        self._handle.flush()

    def finish(self) -> None:
        """Close, and rewrite the table whole in grid order (the journal folded in)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if not self.path.exists() and not self.journal.exists():
            return
        rows = sorted(self.rows(), key=lambda r: (r["point"], r["input_hash"]))
        self._write(rows)
        if self.parquet and self.journal.exists():
            self.journal.unlink()

    def _write(self, rows: list[dict[str, Any]]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            if self.parquet:
                os.close(fd)
                pa = _pyarrow()
                types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
                         "bool": pa.bool_()}
                schema = pa.schema([(n, types[k]) for n, k in self.columns])
                table = pa.Table.from_pylist(
                    [{n: r.get(n) for n in self.names} for r in rows], schema=schema)
                pa.parquet.write_table(table, tmp)
            else:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(self.names)
                    writer.writerows([_text(r.get(n)) for n in self.names] for r in rows)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def read_table(path: str | Path, columns: Columns | None = None) -> list[dict[str, Any]]:
    """The rows of a results table (CSV values typed by ``columns`` when given, else
    numbers where they parse).

    Raises:
        SpecError: the file's columns are not ``columns``.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        table = _pyarrow().parquet.read_table(path)
        if columns is not None and table.column_names != [n for n, _ in columns]:
            raise SpecError(_other_columns(path))
        return list(table.to_pylist())
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if columns is not None and header != [n for n, _ in columns]:
            raise SpecError(_other_columns(path))
        kinds = dict(columns) if columns else {}
        return [{n: _parse(v, kinds.get(n, "guess")) if kinds else _guess(v)
                 for n, v in zip(header, line)} for line in reader if len(line) == len(header)]


def _guess(text: str) -> Any:
    if text in ("", "true", "false"):
        return None if text == "" else text == "true"
    try:
        return float(text) if any(c in text for c in ".eE") or text in ("inf", "nan") \
            else int(text)
    except ValueError:
        return text


def _other_columns(path: Path) -> str:
    return (f"results file '{path}' has the columns of another spec (other grid keys or "
            "[compute]); write to another file, or delete it to start over")


def open_store(path: str | Path, columns: Columns) -> Store:
    """Open (or prepare) the table at ``path`` (``.csv`` or ``.parquet``); nothing is
    written until the first row.

    Raises:
        SpecError: another suffix, a missing folder, or a file of another spec.
    """
    path = Path(path)
    if path.suffix not in (".csv", ".parquet"):
        raise SpecError(f"results file '{path}' must end in .csv or .parquet")
    if not path.parent.is_dir():
        raise SpecError(f"cannot write '{path}': folder '{path.parent}' does not exist")
    if path.is_dir():
        raise SpecError(f"cannot write '{path}': it is a folder")
    if path.suffix == ".parquet":
        _pyarrow()
    store = Store(path, columns)
    store.rows()  # a file of another spec fails here, before any work
    return store
