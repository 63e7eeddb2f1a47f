"""The one weighting of a query and the one sum of its score, with numpy and in plain Python.

A query's TF-IDF weights are ``(1 + log tf) · idf`` (``tf · idf`` without sublinear tf), scaled
to unit length; a clause's score is the sum, in the order its row is stored, of the products of
its weights with the query's. :func:`term_weights` and :func:`unit_length` do it for numpy arrays
(:meth:`ClauseIndex.transform` and the batch path), :func:`plain_weights` and
:func:`plain_scores` for one query in plain Python, with the same operations in the same order,
so with the same bits: a process that has not imported numpy scores one query without it
(numpy's import takes longer than the whole query).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["plain_scores", "plain_weights", "term_weights", "unit_length"]


def term_weights(tf: np.ndarray, idf: np.ndarray, *, sublinear: bool) -> np.ndarray:
    """TF-IDF weights of term counts ``tf`` whose terms have the inverse document frequencies
    ``idf``: ``(1 + log tf) · idf`` (``tf · idf`` without ``sublinear``). The one weighting of
    every query, one text (:meth:`ClauseIndex.transform`) or many (the batch path)."""
    import numpy as np

    weights = tf.astype(np.float64)
    if sublinear and weights.size:
        weights = _sublinear(tf)
    return weights * idf


# The same profile must get the same score on every machine. numpy chooses its ``log`` and BLAS
# its dot product by the CPU (an AVX-512 machine rounds some logs differently in the last bit),
# so the logarithms come from ``math.log`` and the length from a correctly rounded sum.
_LOG_TABLE_SIZE = 1024


@lru_cache(maxsize=1)
def _log_table() -> np.ndarray:
    import numpy as np

    return np.array([-math.inf] + [math.log(k) + 1.0 for k in range(1, _LOG_TABLE_SIZE)])


def _sublinear(tf: np.ndarray) -> np.ndarray:
    """``1 + log tf`` element by element, the same bits on every CPU."""
    import numpy as np

    counts = np.asarray(tf, dtype=np.int64)
    if counts.min() >= 0 and counts.max() < _LOG_TABLE_SIZE:
        return _log_table()[counts]
    values, inverse = np.unique(counts, return_inverse=True)
    logs = np.array([math.log(v) + 1.0 if v > 0 else (-math.inf if v == 0 else math.nan)
                     for v in values.tolist()])
    return logs[inverse.reshape(counts.shape)]


def unit_length(weights: np.ndarray) -> np.ndarray:
    """``weights`` scaled to Euclidean length 1 (all-zero weights stay as they are)."""
    norm = math.sqrt(math.fsum((weights * weights).tolist()))
    return weights / norm if norm > 0 else weights


def plain_weights(tokens: Iterable[str], vocabulary: Mapping[str, int], idf: Sequence[float], *,
                  sublinear: bool) -> tuple[list[int], list[float]]:
    """The sorted columns and unit-length weights of one tokenised text, in plain Python: the
    bits :func:`term_weights` then :func:`unit_length` give (each product and quotient is one
    correctly rounded operation either way, and the length the same correctly rounded sum)."""
    counts = Counter(vocabulary[t] for t in tokens if t in vocabulary)
    cols = sorted(counts)
    if sublinear:
        weights = [(math.log(counts[c]) + 1.0) * idf[c] for c in cols]
    else:
        weights = [float(counts[c]) * idf[c] for c in cols]
    norm = math.sqrt(math.fsum(w * w for w in weights))
    return cols, [w / norm for w in weights] if norm > 0 else weights


def plain_scores(data: Sequence[float], indices: Sequence[int], indptr: Sequence[int],
                 cols: Iterable[int], weights: Iterable[float]) -> list[float]:
    """Each CSR row's sum of products with the query weights (``cols``, ``weights``), in plain
    Python, with the bits of :meth:`ClauseIndex.score`.

    That is ``np.bincount(row, data * query[indices])``: each row's products added one by one to
    0.0, in the order the row is stored. The products with a term outside the query are ±0.0
    (the data are finite), and adding ±0.0 to a sum that is never -0.0 leaves it as it is, so
    only the terms of the query are added here, in the same order.
    """
    query = dict(zip(cols, weights, strict=True))
    get = query.get
    scores: list[float] = []
    start = indptr[0]
    for stop in indptr[1:]:
        total = 0.0
        for col, value in zip(indices[start:stop], data[start:stop], strict=True):
            weight = get(col)
            if weight is not None:
                total += value * weight
        scores.append(total)
        start = stop
    return scores
