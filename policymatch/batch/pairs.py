"""The long table of one chunk, gathered from a clauses × rows grid, and its missing-fact labels.

Each clause writes its kept pairs into its own line of a grid (one contiguous write per clause):
status, counted and the number of its missing-fact label packed into 32 bits, 0 where the pair is
not kept, and its amount beside it. One transpose turns the grid row-major, and the cells that are
not 0, read in order, are the pairs row by row, in clause order within a row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Labels", "PairGrid"]

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]


class Labels:
    """The run's missing-fact labels: a number per text (``""`` is 0), and per clause a table
    from the bits of lacking facts to that number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {"": 0}
        self.texts: list[str] = [""]
        self._tables: dict[int, npt.NDArray[np.int32]] = {}

    def number(self, text: str) -> int:
        got = self.numbers.get(text)
        if got is None:
            got = self.numbers[text] = len(self.texts)
            self.texts.append(text)
        return got

    def ids(self, clause: int, width: int, bits: npt.NDArray[np.int64],
            text: Callable[[int], str]) -> npt.NDArray[np.int32]:
        """Run-wide numbers of the labels of ``bits`` (``text(b)`` writes the label of ``b``)."""
        if width > 16:  # too many facts for a table of every pattern: the distinct ones
            distinct, inverse = np.unique(bits, return_inverse=True)
            return np.array([self.number(text(b)) for b in distinct.tolist()],
                            dtype=np.int32)[inverse.reshape(-1)]
        table = self._tables.get(clause)
        if table is None:
            table = self._tables[clause] = np.full(1 << width, -1, dtype=np.int32)
        ids = table[bits]
        new = ids < 0
        if new.any():
            for b in np.unique(bits[new]).tolist():
                table[b] = self.number(text(b))
            ids = table[bits]
        return ids


class PairGrid:
    """One chunk's kept pairs, clause by clause, then read out row by row.

    The ``missing`` labels of the chunk are numbered in the order they first occur clause by
    clause, row by row, whatever the run numbered them (so a chunk's categories do not depend on
    earlier chunks).
    """

    def __init__(self, labels: Labels, n_clauses: int, n: int) -> None:
        self.labels = labels
        self.n = n
        self.packed = np.zeros((n_clauses, n), dtype=np.int32)
        self.amount = np.empty((n_clauses, n))
        self.local = np.full(len(labels.texts), -1, dtype=np.int32)
        self.local[0] = 0
        self.chunk_labels = [""]

    def put(self, clause: int, code: Codes, lowest: int, amount: Floats | float,
            judged: npt.NDArray[np.int64] | None, counted: bool) -> npt.NDArray[np.bool_]:
        """Write a clause's status codes (kept where ``code >= lowest``) and amounts (of the
        rows ``judged``, or of every row); the counted bit set when ``counted``. Returns where
        the clause's pairs are kept."""
        keep = code >= lowest
        line = self.packed[clause]
        np.add(code, 1 | (4 if counted else 0), out=line, where=keep, dtype=np.int32)
        if judged is None:
            self.amount[clause] = amount
        else:
            self.amount[clause, judged] = amount
        return keep

    def label(self, clause: int, rows: npt.NDArray[np.int64], ids: npt.NDArray[np.int32]) -> None:
        """Give the pairs of ``rows`` (ascending) the run-wide labels ``ids``."""
        local = self.local
        if len(local) < len(self.labels.texts):
            grown = np.full(len(self.labels.texts), -1, dtype=np.int32)
            grown[:len(local)] = local
            local = self.local = grown
        codes = local[ids]
        new = codes < 0
        if new.any():
            for k in dict.fromkeys(ids[new].tolist()):
                local[k] = len(self.chunk_labels)
                self.chunk_labels.append(self.labels.texts[k])
            codes = local[ids]
        self.packed[clause, rows] |= codes << 3

    def set_counted(self, clause: int, counted: Bools) -> None:
        line = self.packed[clause]
        line |= ((line != 0) & counted).astype(np.int32) << 2

    def read(self, scores: Floats | None, errors: dict[int, str]) -> dict[str, Any]:
        """The pairs row by row: row, clause, status, score, amount, counted, missing."""
        n_clauses, n = self.packed.shape
        if errors:  # a row for which match() raises has no pairs
            self.packed[:, np.fromiter(errors, dtype=np.int64)] = 0
        grid = np.ascontiguousarray(self.packed.T).reshape(-1)
        flat = np.flatnonzero(grid)
        packed = grid[flat]
        rows, clause = np.divmod(flat, max(1, n_clauses))
        clause = clause.astype(np.int32)
        if len(flat):
            assert scores is not None
            score = scores.reshape(-1)[flat]
            amount = self.amount.reshape(-1)[clause.astype(np.int64) * n + rows]
        else:
            score, amount = np.empty(0), np.empty(0)
        return {"row": rows.astype(np.int64, copy=False), "clause": clause,
                "status": ((packed & 3) - 1).astype(np.int8), "score": score, "amount": amount,
                "counted": (packed & 4).astype(bool), "missing": packed >> 3,
                "labels": self.chunk_labels}
