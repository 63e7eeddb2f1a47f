"""Checks on a policy document before it is read: what kind of file, how large once unpacked,
which text encoding."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from ..errors import ExtractionError
from ..files import check_regular_file, read_bounded

__all__ = ["MAX_DOCX_UNPACKED_BYTES", "check_docx", "document_text"]

#: A ``.docx`` whose parts unpack to more than this is refused before it is opened.
MAX_DOCX_UNPACKED_BYTES = 50_000_000


def check_file(path: Path) -> None:
    """A regular file, or an ExtractionError naming what it is instead."""
    try:
        check_regular_file(path, "document")
    except (OSError, ValueError) as exc:
        raise ExtractionError(str(exc)) from None


def check_docx(path: Path) -> None:
    """Refuse a ``.docx`` that would unpack to more than :data:`MAX_DOCX_UNPACKED_BYTES`.

    The sizes are the ones the zip directory declares; Python's zip reader never inflates a part
    beyond its declared size, so a "zip bomb" is stopped here, before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(f"{path}: not a readable .docx file ({type(exc).__name__})") from None
    if total > MAX_DOCX_UNPACKED_BYTES:
        raise ExtractionError(f"{path}: unpacks to {total:,} bytes, over the "
                              f"{MAX_DOCX_UNPACKED_BYTES:,}-byte limit for one .docx; save the "
                              "policy text alone as .txt or a smaller .docx")


def document_text(path: Path, limit: int) -> str:
    """The text of a ``.txt`` document: UTF-8 (with or without BOM), or UTF-16 (with a BOM, or
    recognisable by where its zero bytes sit, as Windows Notepad's "Unicode" writes it)."""
    try:
        data = read_bounded(path, limit, "document")
    except (OSError, ValueError) as exc:
        raise ExtractionError(str(exc)) from None
    if data is None:
        raise ExtractionError(f"{path}: over the {limit:,}-byte limit for one policy document; "
                              "split it or extract the policy part")
    encoding = _utf16(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise ExtractionError(f"{path}: looks like UTF-16 text but does not decode as it; "
                                  "save the document as UTF-8") from None
        text = text.removeprefix("\ufeff")
        if "\x00" not in text:
            return text
    if b"\x00" in data:
        raise ExtractionError(f"{path}: this is a binary file, not policy text; give a .txt or "
                              ".docx")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{path}: not UTF-8 text (byte {exc.start}); convert it first, e.g. "
                              f"iconv -f GB18030 -t UTF-8 {path.name}") from None


def _utf16(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data[:65536]:
        return None  # UTF-8 text holds no zero byte at all
    best, score = None, 0.9  # the reading of which at least 90% is ordinary Chinese text
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:65536].decode(codec)
        except UnicodeDecodeError:
            continue
        ordinary = sum(1 for c in text if c in "\t\n\r" or " " <= c <= "~"
                       or "\u3000" <= c <= "\u303f" or "\u4e00" <= c <= "\u9fff"
                       or "\uff00" <= c <= "\uffef") / max(len(text), 1)
        if ordinary > score:
            best, score = codec, ordinary
    return best
