"""Reading the files of a saved index as data only: JSON with its depth bounded, ``.npy``
arrays whose headers are checked before anything is allocated, scipy's ``save_npz`` layout
without scipy and without pickle, and tokenizer parameters that name no file to open; the
checks of ``meta.json`` and the parameters it records.

:func:`read_plain` reads the arrays without numpy, into :mod:`array` arrays, for a process that
has not imported numpy (one query then costs less than numpy's import). It takes only the plain
layout numpy writes and returns ``None`` for anything else, damaged or not, so that the numpy
readers, which say what is wrong, decide.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import zipfile
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import IndexFormatError
from ..version import __version__

if TYPE_CHECKING:
    import numpy as np

    from ..text import Tokenizer

REBUILD = "rebuild it: fit a ClauseIndex on the policies and save it again"
_REBUILD = REBUILD


FORMAT_VERSION = 2  # 2: idf of damped terms scaled, `damped` in meta params
FORMAT_NAME = "policymatch-clause-index"


def library_version() -> str:
    """The running library's version, as a saved index records it."""
    return __version__


_TOKENIZER_KEYS = {"user_dict_sha256", "stopwords", "hmm", "engine"}


def check_saved_tokenizer(path: Path, saved: Any) -> dict[str, Any]:
    """meta.json's tokenizer parameters, checked to be data of the expected shapes only."""
    if not isinstance(saved, dict):
        raise IndexFormatError(f"{path}: meta.json tokenizer parameters are not a mapping; "
                               f"{_REBUILD}")
    unknown = sorted(set(saved) - _TOKENIZER_KEYS)
    if unknown:
        raise IndexFormatError(
            f"{path}: meta.json names tokenizer parameters {', '.join(map(repr, unknown[:3]))}; "
            f"a saved index carries data, never paths or settings to follow: {_REBUILD}")
    digest, stop, hmm = saved.get("user_dict_sha256"), saved.get("stopwords"), saved.get("hmm")
    engine = saved.get("engine", "jieba")
    if not (digest is None or (isinstance(digest, str) and len(digest) == 64)) \
            or not (stop is None or (isinstance(stop, list) and all(isinstance(w, str) for w in stop)))\
            or not isinstance(hmm, bool) or engine not in ("jieba", "rjieba"):
        raise IndexFormatError(f"{path}: meta.json tokenizer parameters are damaged; {_REBUILD}")
    return {"user_dict_sha256": digest, "stopwords": stop, "hmm": hmm}


def shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"{path}: unreadable ({shorten(str(exc))}); {_REBUILD}") from exc
    except RecursionError:
        raise IndexFormatError(f"{path}: nested too deeply to be part of an index; {_REBUILD}") \
            from None
    if not isinstance(data, dict):
        raise IndexFormatError(f"{path}: expected a JSON object; {_REBUILD}")
    return data


@dataclass(frozen=True)
class CsrArrays:
    """The arrays of a CSR matrix, usable without importing scipy."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, matrix: Any) -> CsrArrays:
        import numpy as np

        matrix.sort_indices()
        return cls(np.asarray(matrix.data, dtype=np.float64), matrix.indices, matrix.indptr,
                   (int(matrix.shape[0]), int(matrix.shape[1])))

    def valid(self) -> bool:
        import numpy as np

        n_rows, n_cols = self.shape
        p = self.indptr
        return bool(
            p.ndim == 1 and len(p) == n_rows + 1 and p[0] == 0 and p[-1] == len(self.data)
            and len(self.indices) == len(self.data) and np.all(np.diff(p) >= 0)
            and (self.indices.size == 0 or (self.indices.min() >= 0 and self.indices.max() < n_cols))
            and np.all(np.isfinite(self.data))
        )


def _npy_header(fh: Any, name: str, size: int) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """The shape and dtype a ``.npy`` stream declares, checked against the bytes it can hold
    (``size``) before anything is allocated; a text or pickle file is refused by its magic."""
    from numpy.lib import format as npy

    if fh.read(6) != b"\x93NUMPY":
        raise ValueError(f"{name} is not a .npy array file")
    major, _ = fh.read(2)
    shape, fortran, dtype = (npy.read_array_header_1_0(fh, max_header_size=10_000) if major == 1
                             else npy.read_array_header_2_0(fh, max_header_size=10_000))
    if dtype.hasobject or fortran:
        raise ValueError(f"{name} holds {'objects' if dtype.hasobject else 'a Fortran array'}, "
                         "not plain numbers")
    declared = math.prod(shape) * dtype.itemsize
    if declared > size:
        raise ValueError(f"{name} declares {math.prod(shape):,} values, more than its "
                         f"{size:,} bytes hold")
    return tuple(int(n) for n in shape), dtype


def load_npy(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array of ``shape`` from a ``.npy`` file, its header checked first."""
    with path.open("rb") as fh:
        got, dtype = _npy_header(fh, path.name, path.stat().st_size)
    import numpy as np

    if got != shape or dtype != np.float64:
        raise ValueError(f"{path.name} is {dtype} {got}, expected float64 {shape}")
    return np.load(path, allow_pickle=False)


def load_csr(path: Path, n_rows: int, n_cols: int) -> CsrArrays:
    """Read scipy's ``save_npz`` layout with ``np.load(allow_pickle=False)`` and no scipy.

    Each member's header is read first: an array declaring more values than its member holds
    or than the matrix can have is refused before it is allocated."""
    import numpy as np

    most = {"data": n_rows * n_cols, "indices": n_rows * n_cols, "indptr": n_rows + 1,
            "format": 16, "shape": 2}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            member = info.filename.removesuffix(".npy")
            if member not in most:
                raise ValueError(f"matrix.npz holds an unexpected {info.filename!r}")
            with archive.open(info) as fh:
                shape, _ = _npy_header(fh, f"matrix.npz {info.filename}", info.file_size)
            if math.prod(shape) > most[member]:
                raise ValueError(f"matrix.npz {info.filename} declares {math.prod(shape):,} "
                                 f"values; a {n_rows} × {n_cols} matrix has at most "
                                 f"{most[member]:,}")
    with np.load(path, allow_pickle=False) as npz:
        fmt = npz["format"].item()
        if fmt not in (b"csr", "csr"):
            raise ValueError(f"matrix.npz holds a {fmt!r} matrix, expected csr")
        rows, cols = (int(n) for n in npz["shape"])
        return CsrArrays(np.asarray(npz["data"], dtype=np.float64),
                    np.asarray(npz["indices"], dtype=np.int64),
                    np.asarray(npz["indptr"], dtype=np.int64), (rows, cols))


def check_damped(damped: Mapping[str, float] | None) -> dict[str, float]:
    """The damping factors as a plain dict; each must be a number in (0, 1]."""
    if damped is None:
        return {}
    if not isinstance(damped, Mapping):
        raise ValueError(f"damped must map terms to factors, got {type(damped).__name__}")
    bad = [f"{k!r}: {v!r}" for k, v in damped.items()
           if not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, (int, float))
           or not 0 < v <= 1]
    if bad:
        raise ValueError(f"damped factors must be numbers in (0, 1]; got {', '.join(bad[:5])}")
    return {k: float(v) for k, v in damped.items()}


def tokenizer_params(tokenizer: Tokenizer) -> dict[str, Any]:
    """The tokenizer parameters that change tokens, as JSON data (engine and cache do not).

    A user dictionary is saved as the SHA-256 of its bytes, never as its path: a saved index
    must not tell the library which file to open."""
    user_dict, stop = tokenizer.user_dict, tokenizer.stopwords
    digest = None
    if user_dict is not None:
        digest = hashlib.sha256(Path(user_dict).read_bytes()).hexdigest()
    return {"user_dict_sha256": digest,
            "stopwords": None if stop is None else sorted(stop), "hmm": bool(tokenizer.hmm)}


def replaceable(target: Path) -> bool:
    """An existing directory that :meth:`ClauseIndex.save` may replace: empty, or an index."""
    if not target.is_dir():
        return False
    if not any(target.iterdir()):
        return True
    try:
        return bool(read_json(target / "meta.json").get("format") == FORMAT_NAME)
    except IndexFormatError:
        return False


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")


def check_meta(path: Path, meta: dict[str, Any], expected_fingerprint: str | None) -> None:
    if meta.get("format") != FORMAT_NAME:
        raise IndexFormatError(f"{path}: not a policymatch clause index; {_REBUILD}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"{path}: index format {meta.get('format_version')!r}, this policymatch reads format "
            f"{FORMAT_VERSION}; {_REBUILD}"
        )
    written, running = meta.get("policymatch_version"), library_version()
    if written != running:
        raise IndexFormatError(
            f"{path}: written by policymatch {written}, this is {running}; {_REBUILD}"
        )
    if expected_fingerprint is not None and meta.get("fingerprint") != expected_fingerprint:
        raise IndexFormatError(
            f"{path}: fitted on another corpus (fingerprint {meta.get('fingerprint')!r}, "
            f"expected {expected_fingerprint!r}); {_REBUILD}"
        )


# -- without numpy ---------------------------------------------------------------------------------
# The typecodes of the array dtypes numpy writes here, where they have the same size and byte order.
_CODES = {"<f8": "d", "<i4": "i", "<i8": "q"}
_PLAIN = sys.byteorder == "little" and [array(c).itemsize for c in "diq"] == [8, 4, 8]
_HEADER = re.compile(r"\{'descr': '(<f8|<i4|<i8|\|S3)', 'fortran_order': False, "
                     r"'shape': \((|\d+,)\), \} *\n")
_MEMBERS = ("data.npy", "format.npy", "indices.npy", "indptr.npy", "shape.npy")


@dataclass(frozen=True)
class PlainArrays:
    """A saved index's arrays read without numpy; :meth:`numpy` gives them as the numpy readers
    do (``idf`` float64, the matrix's indices and indptr int64)."""

    idf: array[float]
    data: array[float]
    indices: array[int]
    indptr: array[int]
    shape: tuple[int, int]

    def numpy(self) -> tuple[np.ndarray, CsrArrays]:
        import numpy as np

        return (np.array(self.idf, dtype=np.float64),
                CsrArrays(np.array(self.data, dtype=np.float64),
                          np.array(self.indices, dtype=np.int64),
                          np.array(self.indptr, dtype=np.int64), self.shape))


def _plain_npy(raw: bytes) -> tuple[str, tuple[int, ...], bytes] | None:
    """The dtype, shape and data bytes of a ``.npy`` file in the layout numpy writes for a plain
    array of at most one dimension (format 1.0); ``None`` for anything else."""
    if len(raw) < 10 or raw[:8] != b"\x93NUMPY\x01\x00":
        return None
    end = 10 + int.from_bytes(raw[8:10], "little")
    found = _HEADER.fullmatch(raw[10:end].decode("latin-1"))
    if found is None:
        return None
    return found[1], (int(found[2][:-1]),) if found[2] else (), raw[end:]


def _plain_numbers(raw: bytes, codes: str) -> array[Any] | None:
    """A one-dimensional ``.npy`` array of one of the typecodes ``codes``, else ``None``."""
    parsed = _plain_npy(raw)
    if parsed is None or parsed[0] not in _CODES or _CODES[parsed[0]] not in codes \
            or len(parsed[1]) != 1:
        return None
    values = array(_CODES[parsed[0]])
    if values.itemsize * parsed[1][0] != len(parsed[2]):
        return None
    values.frombytes(parsed[2])
    return values


def read_plain(path: Path, n_rows: int, n_cols: int) -> PlainArrays | None:
    """``idf.npy`` and ``matrix.npz`` of the index in ``path`` without numpy, when they are the
    plain float64 and CSR arrays numpy and scipy write for an ``n_rows`` × ``n_cols`` matrix and
    pass every check the numpy readers and :meth:`ClauseIndex.load` make; else ``None``."""
    if not _PLAIN:
        return None
    most = {"data.npy": 8 * n_rows * n_cols, "indices.npy": 8 * n_rows * n_cols,
            "indptr.npy": 8 * (n_rows + 1), "format.npy": 3, "shape.npy": 16}
    try:
        idf = _plain_numbers((path / "idf.npy").read_bytes(), "d")
        with zipfile.ZipFile(path / "matrix.npz") as archive:
            infos = archive.infolist()
            if sorted(i.filename for i in infos) != list(_MEMBERS) \
                    or any(i.file_size > 200 + most[i.filename] for i in infos):
                return None
            raw = {i.filename: archive.read(i) for i in infos}
    except Exception:  # whatever it is, the numpy readers will name it
        return None
    shape = _plain_numbers(raw["shape.npy"], "iq")
    data = _plain_numbers(raw["data.npy"], "d")
    indices = _plain_numbers(raw["indices.npy"], "iq")
    indptr = _plain_numbers(raw["indptr.npy"], "iq")
    if idf is None or shape is None or data is None or indices is None or indptr is None \
            or _plain_npy(raw["format.npy"]) != ("|S3", (), b"csr"):
        return None
    finite = math.isfinite
    if not (list(shape) == [n_rows, n_cols] and len(idf) == n_cols and all(map(finite, idf))
            and len(indptr) == n_rows + 1 and indptr[0] == 0 and indptr[-1] == len(data)
            and len(indices) == len(data)
            and all(a <= b for a, b in pairwise(indptr))
            and (not indices or (min(indices) >= 0 and max(indices) < n_cols))
            and all(map(finite, data))):
        return None
    return PlainArrays(idf, data, indices, indptr, (n_rows, n_cols))
