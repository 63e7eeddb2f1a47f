"""Reading enterprises in chunks and writing long tables, for :mod:`policymatch.batch`.

Inputs: a pandas DataFrame, an iterable of profiles or mappings, or a ``.csv`` (read as text with
the standard library's reader, so a malformed line is one reject, not a failed run), ``.jsonl`` /
``.ndjson`` (one JSON object per line) or ``.parquet`` file (Arrow, batch by batch). Outputs:
``.csv`` and ``.parquet`` through Arrow's writers, ``.jsonl`` through pandas, into a temporary
file that is renamed into place when the run completes.
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import DuplicateKey, check_regular_file, mode_for, unique_keys
from ..profile import EnterpriseProfile
from .chunk import Chunk
from .lines import check_header, csv_records, detect_encoding, text_lines

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Chunk", "TableWriter", "check_chunk_size", "commit_all", "count_records",
           "defuse_formulas", "frame_chunk", "read_chunks", "rejects_path"]

SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".xlsx": "xlsx"}


# -- reading ----------------------------------------------------------------------------------
def read_chunks(source: Any, chunk_size: int = 10_000, *,
                encoding: str | None = None) -> Iterator[Chunk]:
    """Split ``source`` into chunks of at most ``chunk_size`` records.

    ``source`` is a pandas DataFrame, an iterable of :class:`EnterpriseProfile` or mappings (flat
    like a table row, or nested like a profile's JSON), or the path of a ``.csv``, ``.jsonl`` /
    ``.ndjson`` or ``.parquet`` file. Raises ``OSError`` / ``ValueError`` when the input cannot
    be read at all; a bad row only becomes a reject. ``encoding`` (CSV, JSON Lines) overrides
    the guess: UTF-8 with or without a BOM, UTF-16 with a BOM, else GB18030 when the start of
    the file reads as GBK and not as UTF-8.
    """
    check_chunk_size(chunk_size)
    chunks = getattr(source, "chunks", None)
    if callable(chunks) and not _is_dataframe(source):  # an Excel sheet, a database query
        yield from chunks(chunk_size)
        return
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        kind = SUFFIXES.get(path.suffix.lower())
        if kind is None:
            raise ValueError(f"{path}: read .csv, .jsonl, .ndjson, .parquet or .xlsx files, not "
                             f"{path.suffix or 'files without a suffix'}")
        check_regular_file(path, "table")
        if kind == "parquet":
            yield from _parquet_chunks(path, chunk_size)
        elif kind == "xlsx":
            from .excel import xlsx_chunks

            yield from xlsx_chunks(path, chunk_size)
        else:
            yield from (_csv_chunks if kind == "csv" else _jsonl_chunks)(path, chunk_size, encoding)
        return
    if _is_dataframe(source):
        for start in range(0, len(source), chunk_size):
            yield frame_chunk(source.iloc[start:start + chunk_size], start + 1)
        return
    if isinstance(source, (Mapping, EnterpriseProfile)):
        raise TypeError("match_many takes many profiles: pass a list, a DataFrame or a file path")
    it = iter(source)
    row = 1
    while batch := list(itertools.islice(it, chunk_size)):
        yield Chunk(list(range(row, row + len(batch))), records=batch)
        row += len(batch)


def check_chunk_size(chunk_size: Any) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a whole number of at least 1, got {chunk_size!r}")


def _is_dataframe(source: Any) -> bool:
    return type(source).__name__ == "DataFrame" and hasattr(source, "iloc")


def frame_chunk(frame: pd.DataFrame, first_row: int, *, text_cells: bool = False) -> Chunk:
    """A chunk of a DataFrame's rows, numbered from ``first_row``.

    Text columns (object, or pandas' string dtypes) give ``None`` for a gap, so a column of text
    stays a column of ``str`` and ``None`` whatever pandas used for missing values.
    """
    columns: dict[Any, list[Any]] = {}
    check_header("the table", [str(c) for c in frame.columns])
    for j, key in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if column.dtype.kind in "biufcmM":  # numbers, yes/no, dates: plain values, NaN for gaps
            columns[key] = column.tolist()
        else:
            columns[key] = column.to_numpy(dtype=object, na_value=None).tolist()
    return Chunk(list(range(first_row, first_row + len(frame))), columns, text_cells=text_cells)


def _csv_chunks(path: Path, chunk_size: int, encoding: str | None = None) -> Iterator[Chunk]:
    records = csv_records(path, detect_encoding(path, encoding))
    first = next(records, None)
    if first is None:
        return
    if first.cells is None:
        raise ValueError(f"{path}: the header cannot be read ({first.problem})")
    from .headers import resolve_header

    header = resolve_header(path, check_header(path, first.cells))
    width = len(header)
    rows: list[int] = []
    columns: list[list[str]] = [[] for _ in header]
    recent: list[list[str]] = []  # the last records read, moved into the columns every _STEP
    bad: dict[int, str] = {}

    def settle() -> None:
        # records are turned into columns a few hundred at a time, while their cells are still
        # in the processor's cache: transposing a whole chunk at once costs twice as much
        if not recent:
            return
        for column, cells in zip(columns, zip(*recent, strict=True), strict=True):
            column.extend(cells)
        recent.clear()

    def flush() -> Chunk:
        settle()
        return Chunk(rows, dict(zip(header, columns, strict=True)), bad=bad, text_cells=True)

    for row, record in enumerate(records, start=1):  # rows are records: blank lines do not count
        cells = record.cells
        if cells is None:
            bad[row] = str(record.problem)
        elif len(cells) == width:
            rows.append(row)
            recent.append(cells)
            if len(recent) == _STEP:
                settle()
        else:
            bad[row] = (f"line {record.line}: {len(cells)} fields, the header has {width}; "
                        "quote values that contain commas")
        if len(rows) + len(bad) >= chunk_size:
            yield flush()
            rows, columns, bad = [], [[] for _ in header], {}
    if rows or bad:
        yield flush()


_STEP = 256


def _jsonl_chunks(path: Path, chunk_size: int, encoding: str | None = None) -> Iterator[Chunk]:
    chunk = Chunk([], records=[])
    row = 0
    for number, line, problem in text_lines(path, detect_encoding(path, encoding)):
        if line is not None and not line.strip():
            continue
        row += 1
        if line is None:
            chunk.bad[row] = str(problem)
        else:
            record, reason = _json_record(line, number)
            if record is not None:
                chunk.rows.append(row)
                assert chunk.records is not None
                chunk.records.append(record)
            else:
                chunk.bad[row] = str(reason)
        if chunk.n_read >= chunk_size:
            yield chunk
            chunk = Chunk([], records=[])
    if chunk.n_read:
        yield chunk


def _json_record(line: str, number: int) -> tuple[dict[str, Any] | None, str | None]:
    """One JSON Lines record, or why line ``number`` is not one."""
    try:
        record = json.loads(line, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})"
    except DuplicateKey as exc:
        return None, (f"line {number}: key {_short(exc.args[0])} appears twice in one object; "
                      "keep one")
    except RecursionError:
        return None, f"line {number}: nested too deeply to be a profile"
    except ValueError as exc:  # an integer of more than 4,300 digits
        return None, f"line {number}: not a readable JSON value ({_short(str(exc), 120)})"
    if not isinstance(record, dict):
        return None, f"line {number}: expected a JSON object, got {type(record).__name__}"
    for key in record:
        head, dot, _ = key.partition(".")
        if dot and head in record:
            return None, f"line {number}: keys {head!r} and {_short(key)} both give {key}; keep one"
    return record, None


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[:limit]}… ({len(text):,} characters)"


def _parquet_chunks(path: Path, chunk_size: int) -> Iterator[Chunk]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading Parquet needs pyarrow: pip install 'policymatch[dataframe]'") \
            from exc
    row = 1
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from None
    check_header(path, list(parquet.schema_arrow.names))
    for batch in parquet.iter_batches(batch_size=chunk_size):
        yield Chunk(list(range(row, row + batch.num_rows)), batch.to_pydict())
        row += batch.num_rows


def count_records(source: Any) -> int | None:
    """How many records ``source`` holds, when that is cheap to tell (for a progress bar)."""
    if _is_dataframe(source) or (isinstance(source, Sequence) and not isinstance(source, str)):
        return len(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        kind = SUFFIXES.get(path.suffix.lower())
        if not path.is_file() or kind == "xlsx":
            return None
        if kind == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if kind is not None:  # lines, a close estimate (a quoted field may span lines)
            with path.open("rb") as fh:
                lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
            return max(0, lines - (1 if kind == "csv" else 0))
    return None


# -- writing ----------------------------------------------------------------------------------
class TableWriter:
    """Streams tables into a temporary file next to ``path``; :func:`commit_all` renames it.

    CSV and Parquet go through Arrow's writers (CSV: booleans as ``true``/``false``, an unknown
    amount as an empty cell, and text that a spreadsheet would run as a formula — starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — written after a ``'``); JSON Lines
    through pandas, which is several times slower. The temporary file's name carries the
    process id: one left behind by a run that was killed is removed by the next run.
    """

    def __init__(self, path: Path) -> None:
        kind = SUFFIXES.get(path.suffix.lower())
        if kind is None:
            raise ValueError(f"{path}: write .csv, .jsonl, .ndjson, .parquet or .xlsx output")
        if path.is_dir():
            raise IsADirectoryError(f"{path}: is a folder; name a file to write")
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-",
                                   suffix=".tmp")
        os.close(fd)
        self.path, self.tmp, self.kind = path, Path(tmp), kind
        self._out: Any = None  # Arrow's Parquet or CSV writer, opened on the first table
        self._first = True

    def write(self, table: pd.DataFrame) -> None:
        if self.kind == "jsonl":
            if len(table):
                table.to_json(self.tmp, orient="records", lines=True, force_ascii=False,
                              double_precision=15,
                              mode="w" if self._first else "a")
            self._first = False
            return
        if self.kind == "xlsx":
            if self._out is None:
                from .excel import XlsxWriter

                self._out = XlsxWriter(self.tmp)
            self._out.write(table)
            self._first = False
            return
        import pyarrow as pa

        if self.kind == "csv":
            table = defuse_formulas(table)
        data = pa.Table.from_pandas(table, preserve_index=False)
        data = data.cast(_output_schema(pa, data.schema, dictionaries=self.kind == "parquet"))
        if self._out is None:
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                self._out = pq.ParquetWriter(self.tmp, data.schema,
                                             **_parquet_options(pa, data.schema))
            else:
                import pyarrow.csv as pacsv

                self._out = pacsv.CSVWriter(self.tmp, data.schema, write_options=pacsv.WriteOptions(
                    quoting_style="needed"))
        self._out.write_table(data)
        self._first = False

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def commit(self) -> None:
        commit_all([self])

    def abort(self) -> None:
        try:
            self.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _output_schema(pa: Any, schema: Any, *, dictionaries: bool) -> Any:
    """The schema every chunk is written with: a categorical column stays a dictionary column of
    text with 32-bit indices in Parquet (chunks differ in their categories and index widths), and
    becomes plain text in CSV; an all-null column is text. Pandas metadata is dropped, since it
    describes one chunk only."""
    text = pa.dictionary(pa.int32(), pa.string()) if dictionaries else pa.string()
    return pa.schema([pa.field(f.name, text) if pa.types.is_dictionary(f.type) else
                      pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
                      for f in schema])


def _parquet_options(pa: Any, schema: Any) -> dict[str, Any]:
    """How Parquet pages are encoded: only the dictionary columns are dictionary-encoded (left
    to itself, Arrow also tries a dictionary for every float and yes/no column of each chunk,
    then drops it when it overflows), and min/max statistics are written for every column but
    free text (``name``, ``missing``), where a range of values helps no reader skip a row group."""
    names = [f.name for f in schema]
    return {"use_dictionary": [f.name for f in schema if pa.types.is_dictionary(f.type)],
            "write_statistics": [n for n in names if n not in _NO_STATISTICS]}


_NO_STATISTICS = frozenset({"name", "missing"})


def commit_all(writers: Sequence[TableWriter]) -> None:
    """Rename every writer's file into place: all of them, or (on any failure) none.

    Each target is checked first (a folder cannot be replaced by a file); a target replaced
    before a later rename fails is put back as it was. Files get the mode an existing target
    had, else the one the umask gives a new file (``mkstemp`` alone would make them 0600).
    """
    for w in writers:
        w.close()
        if w.path.is_dir():
            raise IsADirectoryError(f"{w.path}: is a folder; name a file to write")
    done: list[tuple[TableWriter, Path | None]] = []
    try:
        for w in writers:
            os.chmod(w.tmp, mode_for(w.path))
            backup = None
            if w.path.exists():
                backup = w.tmp.with_name(w.tmp.name + ".old")
                if _can_link(w.path):
                    os.link(w.path, backup)
                else:
                    shutil.copy2(w.path, backup)
            done.append((w, backup))
            os.replace(w.tmp, w.path)
    except BaseException:
        for w, backup in reversed(done):
            if backup is not None:
                os.replace(backup, w.path)
            else:
                w.path.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)


def _can_link(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def remove_stale_temporaries(target: Path) -> None:
    """Delete ``.<name>.<pid>-*.tmp`` files next to ``target`` whose process is gone."""
    try:
        names = list(target.parent.glob(f".{glob.escape(target.name)}.*-*.tmp*"))
    except OSError:
        return
    for tmp in names:
        pid_text = tmp.name[len(target.name) + 2:].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


_FORMULA = r"^[=+\-@\t\r]"


def _runs_as_formula(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell a spreadsheet would run as a formula written after a
    ``'`` (OWASP's advice for CSV injection); numbers are left as they are."""
    import pandas as pd

    out: dict[Any, Any] = {}
    changed = False
    for name in table.columns:
        column = table[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            cats = column.cat.categories
            if cats.dtype == object and len(cats):
                risky = cats.astype(str).str.contains(_FORMULA, regex=True)
                if risky.any():
                    column = column.astype(object)
        if column.dtype == object:
            risky_cells = column.map(_runs_as_formula)
            if risky_cells.any():
                column = column.map(lambda v: f"'{v}" if _runs_as_formula(v) else v)
                changed = True
        out[name] = column
    return pd.DataFrame(out, copy=False) if changed else table


def rejects_path(output: str | os.PathLike[str]) -> Path:
    """Where :func:`run_batch` writes the rejected rows: ``<output stem>.rejects.csv``."""
    out = Path(output)
    return out.with_name(f"{out.stem}.rejects.csv")
