"""TF-IDF query rows of many enterprises, bit for bit :meth:`ClauseIndex.transform` of each
:func:`~policymatch.audience.profile_query`.

A text is cut at punctuation that :func:`~policymatch.text.normalize` keeps as punctuation
(、；，。（）： and spaces, :data:`~policymatch.text.PIECE_BREAK`); each piece is normalised and
segmented once per process and its tokens kept, since a county's 经营范围 texts repeat the same
phrases. Normalising is local to a piece (NFKC and OpenCC's phrase matching do not reach across
such punctuation; tests/test_text.py checks every separator), so the pieces give the tokens of the
whole text, and, when no everyday word or policy term of :func:`~policymatch.text.expand_query`
holds such punctuation, a word is in the normalised text exactly when it is in one normalised
piece: the expansion is read from the pieces too, without normalising each text again. A block
that :func:`normalize` would change again (never seen in practice) sends its text through the
index's own tokenizer whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..text import PIECE_BREAK, WORD_BLOCK, expand_query, normalize, query_synonyms

if TYPE_CHECKING:
    from ..index import ClauseIndex

__all__ = ["Relevance"]

_MAX_CACHED_BLOCKS = 200_000


class Relevance:
    """Query rows and relevance scores of many texts for chosen clauses of a fitted index."""

    def __init__(self, index: ClauseIndex, rows: Sequence[int]) -> None:
        self.vocabulary = index.vocabulary_
        self.idf = index.idf_
        self.sublinear = index.sublinear_tf
        self.segmenter: Any = (index.lexicon_ if index.query_tokenizer == "restricted"
                               else index.tokenizer_)
        clauses = index.matrix_[list(rows)]
        n_terms = len(self.vocabulary)
        self.dense: np.ndarray | None = (clauses.T.toarray() if n_terms * len(rows) <= 16_000_000
                                         else None)
        self.sparse_t = clauses.T.tocsr()
        self._init_cache()

    def _init_cache(self) -> None:
        self._block_ids: dict[str, int] = {}
        self._block_tokens: list[list[int]] = []
        self._pieces: dict[str, list[int] | None] = {}
        self._marks: dict[str, int] = {}  # piece → bits of the synonym words and terms it holds
        if not hasattr(self, "_synonyms"):
            self._expansions: dict[int, list[str]] = {}
            self._heads: dict[str | None, tuple[str, list[int] | None, int]] = {}
            self._synonyms: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_cache()

    def _ids(self, tokens: Iterable[str]) -> list[int]:
        vocabulary = self.vocabulary
        return [vocabulary[t] for t in tokens if t in vocabulary]

    def _piece(self, piece: str) -> list[int] | None:
        """The vocabulary ids of a piece of text; None when its text must go through whole."""
        if len(self._pieces) >= _MAX_CACHED_BLOCKS:  # free text that never repeats
            self._init_cache()
        ids: list[int] | None = []
        norm = normalize(piece)
        for block in WORD_BLOCK.findall(norm):
            slot = self._block_ids.get(block)
            if slot is None:
                slot = self._block(block)
            if slot < 0:
                ids = None
                break
            ids.extend(self._block_tokens[slot])  # type: ignore[union-attr]
        self._pieces[piece] = ids
        table = self._synonym_table()
        if table is not None:
            self._marks[piece] = sum(1 << k for k, word in enumerate(table[0]) if word in norm)
        return ids

    def _block(self, block: str) -> int:
        """The cache slot of a block's vocabulary ids; -1 when it must go through whole."""
        if normalize(block) != block:
            slot = -1
        else:
            slot = len(self._block_tokens)
            self._block_tokens.append(self._ids(self.segmenter.tokenize(block)))
        self._block_ids[block] = slot
        return slot

    def _synonym_table(self) -> tuple[list[str], list[tuple[int, tuple[int, ...]]]] | None:
        """The words and terms :func:`expand_query` looks for, one bit each, and per everyday
        word its bit and its terms' bits; None when one of them holds punctuation a text is cut
        at (then every text is expanded whole)."""
        if self._synonyms is None:
            pairs = query_synonyms()
            looked_for = list(dict.fromkeys(
                [w for w, _ in pairs] + [t for _, terms in pairs for t in terms]))
            bit = {w: k for k, w in enumerate(looked_for)}
            fits = all(w and not PIECE_BREAK.search(w) for w in looked_for)
            self._synonyms = (looked_for, [(bit[w], tuple(bit[t] for t in terms))
                                           for w, terms in pairs]) if fits else False
        return self._synonyms or None

    def _extra(self, marks: int) -> list[str]:
        """The terms :func:`expand_query` adds to a text whose pieces hold ``marks``."""
        got = self._expansions.get(marks)
        if got is None:
            table = self._synonym_table()
            assert table is not None
            words = table[0]
            extra: list[str] = []
            for word, terms in table[1]:
                if marks >> word & 1:
                    extra.extend(t for t in (words[b] for b in terms if not marks >> b & 1)
                                 if t not in extra)
            got = self._expansions[marks] = extra
        return got

    def _text_ids(self, text: str) -> list[int]:
        ids: list[int] = []
        pieces = self._pieces
        missing = object()
        for piece in PIECE_BREAK.split(text) if text else ():
            got = pieces.get(piece, missing)
            if got is missing:
                got = self._piece(piece)
            if got is None:
                return self._ids(self.segmenter.tokenize(text))
            ids.extend(got)  # type: ignore[arg-type]
        return ids

    def queries(self, texts: Sequence[str]) -> Any:
        """The TF-IDF rows of ``texts``, as :meth:`ClauseIndex.transform` computes them."""
        return self._rows([self._text_ids(text) for text in texts])

    def profile_queries(self, industries: Sequence[str | None],
                        descriptions: Sequence[str | None]) -> Any:
        """The TF-IDF rows of :func:`~policymatch.audience.profile_query` of each row's industry
        and description, as :meth:`ClauseIndex.transform` of those texts computes them."""
        seen: dict[tuple[Any, Any], list[int]] = {}
        per_row = []
        for pair in zip(industries, descriptions, strict=True):
            ids = seen.get(pair)
            if ids is None:
                ids = seen[pair] = self._profile_ids(*pair)
            per_row.append(ids)
        return self._rows(per_row)

    def _profile_ids(self, industry: str | None, description: str | None) -> list[int]:
        """The query ids of ``profile_query``: the industry with its cluster's vocabulary (the
        same for every firm of the industry), then the description, then the terms the
        everyday words of both stand for. The parts are joined by a space, where a text is cut
        anyway, so the pieces of the whole are the pieces of the parts."""
        head = self._heads.get(industry)
        if head is None:
            from ..audience import industry_vocabulary

            text = " ".join(p for p in (industry or "", " ".join(industry_vocabulary(industry)))
                            if p)
            head = self._heads[industry] = (text, *self._read(text))
        head_text, head_ids, head_marks = head
        text = " ".join(p for p in (head_text, description or "") if p)
        if not text:
            return []
        if head_ids is None or self._synonym_table() is None:
            return self._text_ids(expand_query(text))
        ids, marks = self._read(description or "")
        if ids is None:
            return self._text_ids(expand_query(text))
        ids = head_ids + ids
        marks |= head_marks
        if marks:
            missing = object()
            for term in self._extra(marks):
                got = self._pieces.get(term, missing)
                if got is missing:
                    got = self._piece(term)
                if got is None:
                    return self._text_ids(expand_query(text))
                ids.extend(got)  # type: ignore[arg-type]
        return ids

    def _read(self, text: str) -> tuple[list[int] | None, int]:
        """The ids of a text's pieces and the synonym marks they hold (None: read it whole)."""
        ids: list[int] = []
        marks = 0
        missing = object()
        for piece in PIECE_BREAK.split(text) if text else ():
            got = self._pieces.get(piece, missing)
            if got is missing:
                got = self._piece(piece)  # may start the caches afresh
            if got is None:
                return None, 0
            ids.extend(got)  # type: ignore[arg-type]
            marks |= self._marks.get(piece, 0)
        return ids, marks

    def _rows(self, per_row: list[list[int]]) -> Any:
        from scipy.sparse import csr_matrix

        from ..index.clause_index import term_weights, unit_length

        n, n_terms = len(per_row), len(self.vocabulary)
        lengths = np.fromiter((len(ids) for ids in per_row), dtype=np.int64, count=n)
        flat = np.fromiter(itertools.chain.from_iterable(per_row), dtype=np.int64,
                           count=int(lengths.sum()))
        keys, tf = np.unique(np.repeat(np.arange(n), lengths) * n_terms + flat, return_counts=True)
        row_of, cols = np.divmod(keys, n_terms)
        weights = term_weights(tf, self.idf[cols], sublinear=self.sublinear)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=n), out=indptr[1:])
        for i in np.flatnonzero(np.diff(indptr)).tolist():
            start, end = indptr[i], indptr[i + 1]
            weights[start:end] = unit_length(weights[start:end])
        return csr_matrix((weights, cols, indptr), shape=(n, n_terms))

    def scorer(self, queries: Any) -> Callable[[slice | list[int]], np.ndarray]:
        """Relevance of the query rows to chosen clauses, as a dense ``(rows, clauses)`` array.

        Each cell sums the same products in the same order as :meth:`ClauseIndex.score`.
        """
        def scores(clauses: slice | list[int]) -> np.ndarray:
            if self.dense is not None:
                return np.asarray(queries @ self.dense[:, clauses], dtype=np.float64)
            return np.asarray((queries @ self.sparse_t[:, clauses]).toarray(), dtype=np.float64)

        return scores
