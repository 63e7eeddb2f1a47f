"""Text lines and CSV records of a table file, each problem confined to its own line.

A file is read as bytes and decoded line by line, so one line in another encoding is one
reject instead of a failed run. The encoding is UTF-8 (with or without a BOM), UTF-16 when the
file starts with its BOM, or GB18030 (which reads GBK and GB2312) when every non-ASCII line of
the file's first 64 KiB fails as UTF-8; ``encoding=`` overrides the guess. A line longer than
:data:`MAX_LINE_BYTES` is one reject and is never held in memory whole.

CSV records are parsed by the standard library's reader in strict mode over those lines. When a
record fails (a quote that is never closed, text after a closing quote, a cell over the reader's
field limit, too many or too few fields over several lines), only its first line is rejected
and reading starts again at the next line, so an unterminated quote cannot swallow the records
after it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["MAX_LINE_BYTES", "Record", "check_header", "csv_records", "detect_encoding",
           "text_lines"]

#: One line (or one CSV record) of a batch input larger than this is rejected unread.
MAX_LINE_BYTES = 1_000_000
_SAMPLE = 64 * 1024
_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "utf-16"}


@dataclass
class Record:
    """One record: its first physical line, and its cells or the reason it cannot be read."""

    line: int
    cells: list[str] | None
    problem: str | None = None


class _BadLine(Exception):
    """A line that cannot be decoded, or is too long."""


def detect_encoding(path: Path, given: str | None = None) -> str:
    """The encoding to read ``path`` with: ``given`` when set, else a guess from its start."""
    if given is not None:
        name = codecs.lookup(given).name.replace("_", "-")
        if name not in _ENCODINGS:
            raise ValueError(f"--encoding {given!r}: read utf-8, utf-8-sig, gb18030 (also GBK) "
                             "or utf-16")
        return "gb18030" if name in ("gbk", "gb2312") else name
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    lines = sample.split(b"\n")
    if len(sample) == _SAMPLE and len(lines) > 1:
        lines.pop()  # cut in the middle
    wide = [line for line in lines if not line.isascii()]
    if not wide:
        return "utf-8"
    for line in wide:
        try:
            line.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    try:
        for line in wide:
            line.decode("gb18030")
    except UnicodeDecodeError:
        return "utf-8"
    return "gb18030"


def _raw_lines(fh: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Lines of at most MAX_LINE_BYTES (``True`` when the line was longer and was skipped)."""
    while line := fh.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield b"", True
        else:
            yield line, False


def text_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | None, str | None]]:
    """``(line number, text, None)`` per line, or ``(number, None, problem)`` for a bad one."""
    if encoding == "utf-16":  # not line-safe as bytes: decode the stream (BOM gives the order)
        with path.open(encoding="utf-16", newline="") as stream:
            for number, line in enumerate(stream, start=1):
                yield number, line, None
        return
    strip_bom = encoding == "utf-8-sig"
    codec = "utf-8" if strip_bom else encoding
    number = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            if not block.endswith(b"\n"):
                block += fh.readline(MAX_LINE_BYTES + 1)
            if number == 0 and strip_bom and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8):]
            text: str | None
            try:  # the common case: a whole block decodes, split it as a text file would
                text = block.decode(codec)
            except UnicodeDecodeError:
                text = None
            if text is not None and b"\x00" not in block and len(block) <= _BLOCK + MAX_LINE_BYTES:
                for line in io.StringIO(text, newline=""):
                    number += 1
                    if len(line) * 4 > MAX_LINE_BYTES and len(line.encode(codec)) > MAX_LINE_BYTES:
                        yield number, None, _too_long(number)
                    else:
                        yield number, line, None
                continue
            for item in _checked_lines(io.BytesIO(block), codec, number):
                number = item[0]
                yield item
            if not block.endswith(b"\n") and len(block) > _BLOCK:  # a line longer than the limit
                while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                    pass


_BLOCK = 1 << 20


def _too_long(number: int) -> str:
    return f"line {number}: longer than {MAX_LINE_BYTES:,} bytes; a record is one enterprise's facts"


def _checked_lines(fh: BinaryIO, codec: str, before: int
                   ) -> Iterator[tuple[int, str | None, str | None]]:
    """Line by line, each decoded on its own: the block holding a bad line."""
    for number, (raw, too_long) in enumerate(_raw_lines(fh), start=before + 1):
        if too_long:
            yield number, None, _too_long(number)
            continue
        if b"\x00" in raw:
            yield number, None, (f"line {number}: holds NUL bytes (UTF-16 text or a binary "
                                 "file?); save the table as UTF-8 text")
            continue
        try:
            yield number, raw.decode(codec), None
        except UnicodeDecodeError as exc:
            other = "gb18030" if codec == "utf-8" else "utf-8"
            yield number, None, (f"line {number}: not {_NAMES[codec]} text (byte "
                                 f"{exc.start + 1}); save the file as UTF-8, or pass "
                                 f"--encoding {other} if the whole file is {_NAMES[other]}")


_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030/GBK"}


class _Feed:
    """The line iterator under ``csv.reader``: remembers the lines of the current record and
    can put lines back, so a failed record is re-read from its second line."""

    def __init__(self, lines: Iterator[tuple[int, str | None, str | None]]) -> None:
        self._lines = lines
        self.back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.size = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.back:
            number, text = self.back.popleft()
        else:
            number, got, problem = next(self._lines)
            if got is None:
                raise _BadLine(number, problem)
            text = got
        self.taken.append((number, text))
        self.size += len(text)
        if self.size > MAX_LINE_BYTES and len(self.taken) > 1:
            raise _BadLine(self.taken[0][0], None)
        return text

    def start(self) -> None:
        self.taken, self.size = [], 0

    def retry(self) -> int:
        """Put back every line of the failed record but its first; return the first's number."""
        first = self.taken[0][0]
        self.back.extendleft(reversed(self.taken[1:]))
        self.start()
        return first


def csv_records(path: Path, encoding: str) -> Iterator[Record]:
    """Every CSV record of ``path`` (blank lines skipped), the header first."""
    feed = _Feed(text_lines(path, encoding))
    reader = csv.reader(feed, strict=True)
    width: int | None = None
    while True:
        feed.start()
        try:
            cells = next(reader)
        except StopIteration:
            if feed.taken and width is not None:  # EOF inside a quote (non-strict readers)
                first = feed.retry()
                yield Record(first, None, f"line {first}: a quote is never closed; close it or "
                                          "remove it")
                continue
            return
        except _BadLine as exc:
            number, problem = exc.args
            if problem is None:  # the record grew past the limit: its first line is the culprit
                first = feed.retry()
                yield Record(first, None, f"line {first}: a quoted cell runs on for more than "
                                          f"{MAX_LINE_BYTES:,} bytes; close the quote")
                continue
            if len(feed.taken) > 0:  # the lines before the bad one start a record of their own
                first = feed.retry()
                yield Record(first, None, f"line {first}: a quote is never closed; close it or "
                                          "remove it")
            yield Record(number, None, problem)
            continue
        except csv.Error as exc:
            first = feed.retry()
            yield Record(first, None, _csv_problem(first, str(exc)))
            continue
        if not cells:
            continue  # a blank line is no record
        if width is not None and len(cells) != width and len(feed.taken) > 1:
            n_lines = len(feed.taken)
            first = feed.retry()
            yield Record(first, None, f"line {first}: a quote opened here runs over {n_lines} "
                                      "lines and leaves the fields uneven; close the quote")
            continue
        if width is None:
            width = len(cells)
        yield Record(feed.taken[0][0], cells)


def _csv_problem(line: int, message: str) -> str:
    if "field limit" in message:
        return (f"line {line}: a cell longer than {csv.field_size_limit():,} characters; no "
                "profile field holds that much (see docs/limits.md)")
    if "end of data" in message:
        return f"line {line}: a quote is never closed; close it or remove it"
    if "expected after" in message:
        return (f"line {line}: text after a closing quote ({message}); quote the whole cell "
                "and double any quote inside it")
    return f"line {line}: not readable as CSV ({message})"


def check_header(path: Path | str, header: list[str]) -> list[str]:
    """The header's column names, refused when two name one field: ``region,region`` (spaces
    are stripped, as for the values), or ``talents`` beside ``talents.phd``."""
    names = [name.strip() for name in header]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{path}: column {name!r} appears twice in the header; keep one "
                             "(it is not clear which one holds the value)")
        seen.add(name)
    for name in names:
        head, dot, _ = name.partition(".")
        if dot and head in seen:
            raise ValueError(f"{path}: columns {head!r} and {name!r} both give {name}; keep one")
    return names
