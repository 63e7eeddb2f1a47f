"""Excel workbooks (``.xlsx``) in and out of :mod:`policymatch.batch` (``policymatch[excel]``).

Reading streams one sheet row by row (openpyxl's read-only parser), with the rules of a CSV file:
the first non-blank row is the header (Chinese names as :mod:`policymatch.batch.headers` reads them),
blank rows are skipped, every other row is either matched or a reject. Rows are numbered as Excel
shows them. Numbers stay numbers, text goes through the profile's cell reading (``1.2亿``,
``是``/``否``, ``国高新、专精特新``), a date cell is a date for ``established`` only. A formula,
an error value (``#DIV/0!``), a date where another kind of value is expected, a merged cell, or
a value under no header makes its row a reject naming the sheet, the cell and the fix.

Before anything is inflated the file's size and the uncompressed sizes its zip directory
declares are checked against :data:`MAX_XLSX_BYTES` and :data:`MAX_XLSX_UNPACKED_BYTES` (Python's
zip reader never inflates a member past its declared size), so a zip bomb is refused unread.

Writing goes through openpyxl's write-only workbook into one sheet, header = the column names
(the same as CSV and Parquet); text is always a text cell, so ``=cmd|…`` is never a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import check_regular_file
from .chunk import Chunk

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_XLSX_BYTES", "MAX_XLSX_CELL_CHARS", "MAX_XLSX_ROWS", "MAX_XLSX_UNPACKED_BYTES", "ExcelSheet",
           "XlsxWriter", "check_xlsx", "xlsx_chunks"]

#: An ``.xlsx`` file larger than this is refused from its size (about 2 million rows of a
#: register of a dozen columns).
MAX_XLSX_BYTES = 200_000_000
#: The uncompressed sizes its zip directory declares may add up to at most this.
MAX_XLSX_UNPACKED_BYTES = 2_000_000_000
#: Rows one sheet holds, header included (Excel's own limit).
MAX_XLSX_ROWS = 1_048_576
#: Characters one cell holds (Excel's own limit); a longer text makes its row a reject.
MAX_XLSX_CELL_CHARS = 32_767

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading and writing .xlsx needs openpyxl: "
                          "pip install 'policymatch[excel]'") from exc
    return openpyxl


def check_xlsx(path: Path) -> None:
    """Refuse ``path`` unless it is an ``.xlsx`` of sane size, judged from its zip directory."""
    check_regular_file(path, "workbook")
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise ValueError(f"{path}: {size:,} bytes is over the {MAX_XLSX_BYTES:,}-byte limit for one "
                         ".xlsx; split the register, or export it as .csv")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{path}: not a readable .xlsx workbook ({exc}); save it from Excel as "
                         "'Excel Workbook (*.xlsx)'") from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ValueError(f"{path}: unpacks to {unpacked:,} bytes, over the "
                         f"{MAX_XLSX_UNPACKED_BYTES:,}-byte limit for one .xlsx; this is not a "
                         "register as Excel saves it (split it, or export it as .csv)")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise ValueError(f"{path}: a zip file but not an Excel workbook; save it as .xlsx")


_SCAN_BLOCK = 1 << 20


def _merged(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column) of each merged range of a sheet, found by
    streaming its XML once (the list comes after the cells, so it is read first). Blocks overlap
    so that a ``<mergeCell>`` cut by a block's end is found in the next one, and only once."""
    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    tail, start, taken = b"", 0, 0  # start: offset of tail in the member; taken: end of the last
    with archive.open(member) as fh:
        while block := fh.read(_SCAN_BLOCK):
            data = tail + block
            for m in _MERGE.finditer(data):  # a match is whole: it ends with the closing quote
                if start + m.start() >= taken:
                    c1, r1, c2, r2 = range_boundaries(m.group(1).decode())
                    found.append((r1, r2, c1, c2))
                    taken = start + m.end()
            keep = min(len(data), 300)
            start += len(data) - keep
            tail = data[len(data) - keep:]
    return found


class ExcelSheet:
    """One sheet of a workbook as a batch input: ``match_many(ExcelSheet("企业.xlsx", "2025"))``.

    ``sheet`` is the sheet's name (default: the first sheet). A plain ``.xlsx`` path reads the
    first sheet.
    """

    def __init__(self, path: str | Path, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.sheet = sheet

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        return xlsx_chunks(self.path, chunk_size, sheet=self.sheet)

    def __repr__(self) -> str:
        return f"ExcelSheet({str(self.path)!r}, sheet={self.sheet!r})"


def _cell_name(column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(cell: dict[str, Any], field: str) -> tuple[Any, str | None]:
    """A cell's value as the profile reads it, or why it cannot be read."""
    kind, value = cell["data_type"], cell["value"]
    if kind == "f":
        return None, (f"holds a formula ({str(value)[:40]}); paste the values instead "
                      "(Paste Special → Values) and save")
    if kind == "e":
        return None, f"holds the error {value}; correct it or clear the cell"
    if kind == "d":
        if field == "established" and isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date(), None
        if field == "established" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value, None
        what = "a date" if isinstance(value, (dt.date, dt.datetime)) else "a time"
        if field == "established":
            return None, f"holds {what} with a time of day ({value}); give the day only"
        return None, (f"holds {what} ({value}) where {field} is expected; a date cell is read "
                      "for established only: format the column as 常规/数值 or 文本 and retype it")
    if isinstance(value, str) and len(value) > MAX_XLSX_CELL_CHARS:
        return None, (f"holds {len(value):,} characters, more than a cell of Excel holds "
                      f"({MAX_XLSX_CELL_CHARS:,}); shorten it")
    if kind == "n" and isinstance(value, float) and not math.isfinite(value):
        return None, "holds a number that is not finite"
    return value, None


def xlsx_chunks(path: Path, chunk_size: int, *, sheet: str | None = None) -> Iterator[Chunk]:
    """Chunks of one sheet of ``path``; see the module's description for the rules."""
    from .headers import resolve_header
    from .lines import check_header

    check_xlsx(path)
    _openpyxl()
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        book = _open_book(path)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ValueError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}); "
                         "open it in Excel and save it again as .xlsx") from None
    try:
        names = [name for name, _ in book.sheets]
        if sheet is None:
            if not names:
                raise ValueError(f"{path}: the workbook has no sheet")
            title = names[0]
        elif sheet in names:
            title = sheet
        else:
            raise ValueError(f"{path}: no sheet {sheet!r}; the workbook has "
                             + ", ".join(repr(n) for n in names) + "; name one of them with --sheet")
        member = dict(book.sheets)[title]
        if member is None:
            raise ValueError(f"{path}: sheet {title!r} is a chart, not a table; name a worksheet "
                             "with --sheet")
        where = f"{path}, sheet {title!r}"
        merged = _merged(book.archive, member)
        with book.archive.open(member) as src:
            parser = _parser(WorkSheetParser)(src, book.shared_strings, data_only=False,
                                              epoch=book.wb.epoch, date_formats=book.wb._date_formats,
                                              timedelta_formats=book.wb._timedelta_formats)
            try:
                yield from _sheet_chunks(parser.parse(), where, merged, chunk_size,
                                         resolve_header, check_header)
            except (SyntaxError, zipfile.BadZipFile, EOFError, zlib.error) as exc:  # XML, CRC
                raise ValueError(f"{where}: the sheet is damaged ({type(exc).__name__}: {exc}); "
                                 "open it in Excel and save it again as .xlsx") from None
    finally:
        book.archive.close()


def _open_book(path: Path) -> Any:
    """openpyxl's reader with the workbook, its shared strings and styles read, and ``sheets``:
    (name, member of the zip, or None for a chart sheet) in the workbook's order. Unlike
    ``load_workbook(read_only=True)`` it does not scan each sheet for its size first."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(str(path), read_only=True, keep_vba=False, data_only=False,
                         keep_links=False, rich_text=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        reader.sheets = [(sheet.name, None if "chartsheet" in rel.Type else rel.target)
                         for sheet, rel in reader.parser.find_sheets()
                         if rel.target in reader.valid_files]
    except BaseException:
        reader.archive.close()
        raise
    return reader


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _parser(base: Any) -> Any:
    """openpyxl's sheet parser, reading an inline string (how openpyxl and many exporters write
    text) as its plain text directly: openpyxl builds a rich-text object for each, ten times
    slower. The text is the same: the plain ``<t>``, else the runs' ``<t>`` (phonetic hints left
    out)."""

    class Parser(base):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            if element.get("t") != "inlineStr" or element.find(f"{_MAIN}f") is not None:
                return dict(base.parse_cell(self, element))
            inline = element.find(f"{_MAIN}is")
            coordinate = element.get("r")
            if inline is None or not coordinate:
                return dict(base.parse_cell(self, element))
            plain = inline.find(f"{_MAIN}t")
            text = (plain.text or "") if plain is not None else "".join(
                run.findtext(f"{_MAIN}t") or "" for run in inline.findall(f"{_MAIN}r"))
            row, column = _coordinate(coordinate)
            self.col_counter = column
            return {"row": row, "column": column, "value": text, "data_type": "s",
                    "style_id": int(element.get("s", 0) or 0)}

    return Parser


def _coordinate(text: str) -> tuple[int, int]:
    from openpyxl.utils.cell import coordinate_to_tuple

    row, column = coordinate_to_tuple(text)
    return int(row), int(column)


def _sheet_chunks(rows: Iterator[tuple[int, list[dict[str, Any]]]], where: str,
                  merged: list[tuple[int, int, int, int]], chunk_size: int,
                  resolve_header: Any, check_header: Any) -> Iterator[Chunk]:
    header: list[str] | None = None
    shown: list[str] = []  # the header as the sheet names the columns
    header_row = 0
    chunk = Chunk([], {})
    columns: dict[str, list[Any]] = {}

    explain: Any = None

    def fresh() -> Chunk:
        nonlocal columns
        columns = {h: [] for h in header or ()}
        return Chunk([], columns, explain=explain)

    for number, cells in rows:
        cells = [c for c in cells if not _blank(c["value"])]
        if not cells:
            continue  # a blank row: skipped and not counted, as in CSV
        if header is None:
            shown = _header(where, number, cells, merged, check_header)
            header, header_row = resolve_header(where, shown), number
            explain = _explainer(where, header, shown, number)
            chunk = fresh()
            continue
        values, problem = _row(where, number, cells, header, shown, merged, header_row)
        if problem is not None:
            chunk.bad[number] = problem
        else:
            chunk.rows.append(number)
            for name, value in zip(header, values, strict=True):
                columns[name].append(value)
        if chunk.n_read >= chunk_size:
            yield chunk
            chunk = fresh()
    if chunk.n_read:
        yield chunk


def _explainer(where: str, header: list[str], shown: list[str], header_row: int) -> Any:
    from openpyxl.utils import get_column_letter

    from .headers import explainer

    sheet = where.rpartition(", ")[2]
    named = {f: f"column {get_column_letter(j + 1)} ("
                + (f if s == f else f"{s} = {f}") + ")"
             for j, (f, s) in enumerate(zip(header, shown, strict=True)) if f}
    return explainer(lambda row: f"{sheet} row {row}: ", named)


def _header(where: str, number: int, cells: list[dict[str, Any]],
            merged: list[tuple[int, int, int, int]], check_header: Any) -> list[str]:
    for r1, r2, c1, c2 in merged:
        if r1 <= number <= r2:
            raise ValueError(f"{where}: the header (row {number}) has merged cells "
                             f"{_cell_name(c1, r1)}:{_cell_name(c2, r2)}; unmerge them and give "
                             "each column its own name")
    width = max(c["column"] for c in cells)
    names = [""] * width
    for c in cells:
        if c["data_type"] in ("f", "e", "d"):
            raise ValueError(f"{where}: header cell {_cell_name(c['column'], number)} is not a "
                             "column name (a formula, error or date); type the name")
        names[c["column"] - 1] = str(c["value"]).strip()
    return list(check_header(where, names))


def _row(where: str, number: int, cells: list[dict[str, Any]], header: list[str], shown: list[str],
         merged: list[tuple[int, int, int, int]], header_row: int) -> tuple[list[Any], str | None]:
    label = f"{where.rpartition(', ')[2]} row {number}: "
    for r1, r2, c1, c2 in merged:
        if r1 <= number <= r2 and r2 > header_row:
            return [], (f"{label}cells {_cell_name(c1, r1)}:{_cell_name(c2, r2)} are "
                        "merged, so only the first of them holds the value; unmerge them and fill "
                        "the value into each cell")
    values: list[Any] = [None] * len(header)
    problems: list[str] = []
    for c in cells:
        col = c["column"]
        name = header[col - 1] if col <= len(header) else ""
        if not name:
            problems.append(f"cell {_cell_name(col, number)} has a value but its column has no "
                            "header; name the column or clear the cell")
            continue
        value, problem = _value(c, name)
        if problem is not None:
            column = shown[col - 1] if shown[col - 1] == name else f"{shown[col - 1]} = {name}"
            problems.append(f"cell {_cell_name(col, number)} ({column}) {problem}")
        else:
            values[col - 1] = value
    if problems:
        return [], label + "; ".join(problems)
    return values, None


# -- writing ----------------------------------------------------------------------------------
class XlsxWriter:
    """Streams tables into one sheet of a new workbook at ``path`` (write-only mode).

    Every text cell is written as text (a leading ``=`` is never a formula), an unknown amount as
    an empty cell; more rows than a sheet holds is a ``ValueError`` (write .csv or .parquet).
    """

    def __init__(self, path: Path, sheet: str = "matches") -> None:
        openpyxl = _openpyxl()
        self.path = path
        self._book = openpyxl.Workbook(write_only=True)
        self._sheet = self._book.create_sheet(sheet)
        self._rows = 0

    def write(self, table: pd.DataFrame) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils.exceptions import IllegalCharacterError

        if self._rows == 0:
            self._sheet.append([str(c) for c in table.columns])
            self._rows = 1
        if self._rows + len(table) > MAX_XLSX_ROWS:
            raise ValueError(f"{self.path}: more than {MAX_XLSX_ROWS - 1:,} rows do not fit one "
                             "sheet; write .csv or .parquet, or narrow the run (--eligible-only)")
        columns = [_plain_column(table[c]) for c in table.columns]
        for i, row in enumerate(zip(*columns, strict=True)):
            out: list[Any] = []
            for value in row:
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(self._sheet, value=None)
                    cell._value, cell.data_type = value, "s"  # text, never a formula
                    out.append(cell)
                else:
                    out.append(value)
            try:
                self._sheet.append(out)
            except IllegalCharacterError:
                raise ValueError(f"{self.path}: row {self._rows + i + 1} holds a control character "
                                 "that a workbook cannot store; write .csv or .parquet") from None
        self._rows += len(table)

    def close(self) -> None:
        if self._book is not None:
            if self._rows == 0:
                self._sheet.append([])
            self._book.save(self.path)
            self._book = None


def _plain_column(column: pd.Series) -> list[Any]:
    """Cells as a workbook takes them: NaN and None empty, numpy scalars plain."""
    values = column.astype(object).tolist()
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]
