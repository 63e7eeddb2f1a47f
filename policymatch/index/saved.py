"""Reading the files of a saved index as data only: JSON with its depth bounded, ``.npy``
arrays whose headers are checked before anything is allocated, scipy's ``save_npz`` layout
without scipy and without pickle, and tokenizer parameters that name no file to open."""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexFormatError

REBUILD = "rebuild it: fit a ClauseIndex on the policies and save it again"
_REBUILD = REBUILD


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
        matrix.sort_indices()
        return cls(np.asarray(matrix.data, dtype=np.float64), matrix.indices, matrix.indptr,
                   (int(matrix.shape[0]), int(matrix.shape[1])))

    def valid(self) -> bool:
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
    if got != shape or dtype != np.float64:
        raise ValueError(f"{path.name} is {dtype} {got}, expected float64 {shape}")
    return np.load(path, allow_pickle=False)


def load_csr(path: Path, n_rows: int, n_cols: int) -> CsrArrays:
    """Read scipy's ``save_npz`` layout with ``np.load(allow_pickle=False)`` and no scipy.

    Each member's header is read first: an array declaring more values than its member holds
    or than the matrix can have is refused before it is allocated."""
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
