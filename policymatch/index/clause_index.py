"""TF-IDF relevance of policy clauses to free text, and its save/load without pickle.

Fitting uses scikit-learn's ``TfidfVectorizer``; everything a query does (``transform``,
``score``, ``score_many``, ``top_terms``) is numpy/scipy over the learned ``vocabulary_`` and
``idf_``, so answering a query imports neither scikit-learn nor, by default, jieba: queries are
tokenised by the :class:`~policymatch.text.VocabularyTokenizer` learned at fit time. An index
loaded in a process that has not imported numpy reads its arrays and scores one query in plain
Python, with the same bits (:mod:`~policymatch.index.weighting`), until something needs numpy.

A saved index is a directory::

    meta.json         format and library version, corpus fingerprint, parameters, clause ids
    vocabulary.json   term → column
    idf.npy           float64 inverse document frequencies
    matrix.npz        the clause × term TF-IDF matrix (CSR, rows L2-normalised)
    lexicon.json      the query tokenizer's lexicon

It is never a pickle; a directory holding one, or written by another version, or for another
corpus, refuses to load.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import threading
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import IndexFormatError, NotFittedError, UnknownClauseError
from ..params import Params
from ..text import Tokenizer, VocabularyTokenizer
from .saved import (
    FORMAT_NAME,
    FORMAT_VERSION,
    CsrArrays,
    PlainArrays,
    check_damped,
    check_meta,
    check_saved_tokenizer,
    library_version,
    load_csr,
    load_npy,
    read_json,
    read_plain,
    replaceable,
    shorten,
    tokenizer_params,
    write_json,
)
from .saved import (
    REBUILD as _REBUILD,
)
from .weighting import plain_scores, plain_weights, term_weights, unit_length

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

__all__ = ["FORMAT_VERSION", "ClauseIndex", "term_weights", "unit_length"]

_FILES = ("meta.json", "vocabulary.json", "idf.npy", "matrix.npz", "lexicon.json")
# Building a lexicon takes a second or more; threads that ask for one at once wait for the first
# instead of each building their own. (A module lock, so an index still pickles.)
_LEXICON_LOCK = threading.Lock()

QueryTokenizer = Literal["restricted", "full"]


def _tokens_as_given(tokens: list[str]) -> list[str]:
    return tokens


def _numpy_loaded() -> bool:
    """Whether this process has imported numpy already (then an index is loaded into numpy
    arrays; otherwise into plain ones, until something needs numpy)."""
    return "numpy" in sys.modules


class ClauseIndex(Params):
    """TF-IDF index of clause texts; scores how relevant each clause is to a text.

    Relevance only ranks: it never changes whether an enterprise is eligible.

    Parameters
    ----------
    tokenizer : Tokenizer, optional
        Segments clause texts at fit time; default ``Tokenizer()``.
    sublinear_tf : bool, default True
        Use ``1 + ln(tf)`` instead of raw term counts.
    min_df : int, default 1
        Ignore terms found in fewer clauses than this.
    damped : mapping of str to float, optional
        Terms whose inverse document frequency is multiplied by a factor in (0, 1] at fit time
        (generic words such as 补贴, 奖励: present in most clauses and saying little about
        what a clause is for). Clause rows and queries both use the scaled ``idf_``.
    query_tokenizer : {"restricted", "full"}, default "restricted"
        How queries are tokenised. ``"restricted"`` uses a small lexicon learned from the
        fitted texts and saved with the index (no jieba: milliseconds on a cold start; see
        :meth:`Tokenizer.restricted` for how closely it agrees). ``"full"`` uses ``tokenizer``
        itself, exactly as scikit-learn would, at the cost of loading jieba (about a second).

    Attributes
    ----------
    ids_ : tuple of str
        Clause ids, one per matrix row.
    vocabulary_ : dict of str to int
        Term → column.
    idf_ : ndarray of float64, shape (n_terms,)
        Inverse document frequencies, ``ln((1 + n) / (1 + df)) + 1``.
    matrix_ : scipy.sparse.csr_matrix, shape (n_clauses, n_terms)
        TF-IDF rows, L2-normalised (a clause without any term is a zero row).
    lexicon_ : VocabularyTokenizer
        The query tokenizer for ``query_tokenizer="restricted"`` (built on first use).
    fingerprint_ : str
        What ``fit`` was told about the corpus (e.g. :meth:`PolicySet.fingerprint`).
    tokenizer_ : Tokenizer
        The tokenizer used at fit time.

    Examples
    --------
    >>> index = ClauseIndex().fit(
    ...     ["rd", "talent"], ["研发费用增长给予补助", "人才公寓租房补贴"], fingerprint="demo")
    >>> scores = index.score("企业研发费用")
    >>> [index.ids_[i] for i in scores.argsort()[::-1]]
    ['rd', 'talent']
    >>> index.top_terms("企业研发费用", "rd")
    [('研发费用', 0.57735...)]
    """

    def __init__(
        self,
        *,
        tokenizer: Tokenizer | None = None,
        sublinear_tf: bool = True,
        min_df: int = 1,
        damped: Mapping[str, float] | None = None,
        query_tokenizer: QueryTokenizer = "restricted",
    ) -> None:
        self.tokenizer = tokenizer
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.damped = damped
        self.query_tokenizer = query_tokenizer

    def __repr__(self) -> str:
        fitted = f", {len(self.ids_)} clauses" if "_csr" in self.__dict__ else ""
        return (f"ClauseIndex(sublinear_tf={self.sublinear_tf}, min_df={self.min_df}, "
                f"damped={'None' if self.damped is None else f'<{len(self.damped)} terms>'}, "
                f"query_tokenizer={self.query_tokenizer!r}{fitted})")

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, ids: Sequence[str], texts: Sequence[str], *, fingerprint: str = "",
            allow_empty: bool = False) -> ClauseIndex:
        """Learn the vocabulary, IDF and clause matrix from ``texts`` (one per id).

        Raises ``ValueError`` for mismatched lengths, duplicate or non-text ids, non-text
        clauses, an empty corpus or (unless ``allow_empty``: then every score is 0) one without
        a single term. The inputs are not modified.
        """
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids_t, texts_t = tuple(ids), tuple(texts)
        self._validate(ids_t, texts_t)
        if not isinstance(self.min_df, int) or isinstance(self.min_df, bool) or self.min_df < 1:
            raise ValueError(f"min_df must be a whole number >= 1, got {self.min_df!r}")
        if self.query_tokenizer not in ("restricted", "full"):
            raise ValueError(
                f"query_tokenizer must be 'restricted' or 'full', got {self.query_tokenizer!r}")
        damped = check_damped(self.damped)
        tokenizer = self.tokenizer if self.tokenizer is not None else Tokenizer()
        tokens = tokenizer.tokenize_many(texts_t)
        vectorizer = TfidfVectorizer(
            tokenizer=_tokens_as_given, preprocessor=None, lowercase=False, token_pattern=None,
            sublinear_tf=self.sublinear_tf, norm="l2", min_df=self.min_df, dtype=np.float64,
        )
        try:
            matrix = vectorizer.fit_transform(tokens)
        except ValueError as exc:  # "empty vocabulary" and its min_df variant
            if allow_empty:
                empty = CsrArrays(np.zeros(0), np.zeros(0, np.int64),
                             np.zeros(len(ids_t) + 1, np.int64), (len(ids_t), 0))
                self._set_state(ids=ids_t, vocabulary={}, idf=np.zeros(0), csr=empty,
                                lexicon=None, seen=frozenset(), fingerprint=fingerprint,
                                tokenizer=tokenizer)
                return self
            raise ValueError(
                f"no clause text has a term to index ({exc}); check the texts or lower min_df"
            ) from exc
        vocabulary = {str(term): int(col) for term, col in vectorizer.vocabulary_.items()}
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        matrix = matrix.tocsr()
        factors = np.ones(len(vocabulary))
        for term, factor in damped.items():
            if term in vocabulary:
                factors[vocabulary[term]] = factor
        if damped:  # tf·idf·factor, rows L2-normalised again
            from sklearn.preprocessing import normalize as l2_rows

            idf = idf * factors
            matrix = l2_rows(matrix.multiply(factors[np.newaxis, :]).tocsr(), norm="l2")
        self._set_state(
            ids=ids_t, vocabulary=vocabulary,
            idf=idf,
            csr=CsrArrays.of(matrix.tocsr()),
            lexicon=None, seen=frozenset(t for doc in tokens for t in doc),
            fingerprint=fingerprint, tokenizer=tokenizer,
        )
        return self

    @staticmethod
    def _validate(ids: tuple[Any, ...], texts: tuple[Any, ...]) -> None:
        if len(ids) != len(texts):
            raise ValueError(f"got {len(ids)} ids for {len(texts)} texts; pass one id per text")
        if not ids:
            raise ValueError("no clauses to index: pass at least one id and text")
        bad = [repr(i) for i in ids if not isinstance(i, str) or not i]
        if bad:
            raise ValueError(f"clause ids must be non-empty strings, got {', '.join(bad[:5])}")
        dup = sorted(i for i, n in Counter(ids).items() if n > 1)
        if dup:
            raise ValueError(f"clause ids must be unique; repeated: {', '.join(dup[:5])}")
        bad = [ids[n] for n, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            raise ValueError(f"clause texts must be strings; not for {', '.join(bad[:5])}")

    def _set_state(self, *, ids: tuple[str, ...], vocabulary: dict[str, int],
                   idf: np.ndarray | None, csr: CsrArrays | None,
                   lexicon: VocabularyTokenizer | None, fingerprint: str, tokenizer: Tokenizer,
                   seen: frozenset[str] = frozenset(), plain: PlainArrays | None = None) -> None:
        """The learned state; the arrays either in numpy (``idf``, ``csr``) or, for an index
        loaded without numpy, ``plain`` (numpy's arrays are then made on first use)."""
        self.ids_ = ids
        self.vocabulary_ = vocabulary
        self._idf = idf
        self._plain = plain
        self._idf_list: list[float] | None = None
        self._lexicon = lexicon
        self._seen = seen  # every token of the fitted texts, for the lexicon
        self._last_query: tuple[str, tuple[list[int], list[float]]] | None = None
        self.fingerprint_ = fingerprint
        self.tokenizer_ = tokenizer
        terms = [""] * len(vocabulary)
        for term, col in vocabulary.items():
            terms[col] = term
        self._terms = terms
        self._rows = {clause_id: row for row, clause_id in enumerate(ids)}
        self._csr = csr
        self._row_of: np.ndarray | None = None
        self._matrix: csr_matrix | None = None

    def _arrays(self) -> tuple[np.ndarray, CsrArrays]:
        """``idf_`` and the clause matrix as numpy arrays (made from the plain ones once)."""
        if self._idf is None or self._csr is None:
            assert self._plain is not None
            self._idf, self._csr = self._plain.numpy()  # the same values either way: no lock
        return self._idf, self._csr

    @property
    def idf_(self) -> np.ndarray:
        """Inverse document frequencies (float64, one per term)."""
        self._check_fitted()
        return self._arrays()[0]

    @property
    def matrix_(self) -> csr_matrix:
        """The clause × term TF-IDF matrix (CSR float64, rows L2-normalised)."""
        self._check_fitted()
        if self._matrix is None:  # built on first use: a single query never imports scipy
            from scipy.sparse import csr_matrix

            csr = self._arrays()[1]
            self._matrix = csr_matrix((csr.data, csr.indices, csr.indptr), shape=csr.shape)
        return self._matrix

    @property
    def lexicon_(self) -> VocabularyTokenizer:
        """The query tokenizer of ``query_tokenizer="restricted"`` (:meth:`Tokenizer.restricted`).

        Learned from the tokens of the fitted texts on first use (a restricted query or
        :meth:`save`), so a fit that is never queried that way does not pay for it.
        """
        self._check_fitted()
        if self._lexicon is None:
            with _LEXICON_LOCK:
                if self._lexicon is None:
                    self._lexicon = self.tokenizer_.restricted(self._seen)
        return self._lexicon

    def _check_fitted(self) -> None:
        if "_csr" not in self.__dict__:
            raise NotFittedError(
                "this ClauseIndex is not fitted yet: call fit(ids, texts) or ClauseIndex.load()"
            )

    # -- queries (plain Python or numpy for one, scipy for batches) ---------------------------
    def _tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        if self.query_tokenizer == "full":
            return self.tokenizer_.tokenize_many(texts)
        return self.lexicon_.tokenize_many(texts)

    def _weights(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sorted columns and L2-normalised TF-IDF weights of one tokenised text."""
        import numpy as np

        vocabulary = self.vocabulary_
        counts = Counter(vocabulary[t] for t in tokens if t in vocabulary)
        cols = np.array(sorted(counts), dtype=np.int64)
        tf = np.array([counts[c] for c in cols.tolist()], dtype=np.int64)
        return cols, unit_length(term_weights(tf, self.idf_[cols], sublinear=self.sublinear_tf))

    def _query(self, text: str) -> tuple[list[int], list[float]]:
        """Sorted columns and weights of one query text, in plain Python (the bits of
        :meth:`_weights`); the last one is remembered, because explaining a match
        (:meth:`top_terms` for each matched clause) asks about the same text again and again."""
        last = self._last_query
        if last is not None and last[0] == text:
            return last[1]
        if self._plain is not None:
            idf: Sequence[float] = self._plain.idf
        else:
            if self._idf_list is None:
                self._idf_list = self._arrays()[0].tolist()
            idf = self._idf_list
        result = plain_weights(self._tokenize([text])[0], self.vocabulary_, idf,
                               sublinear=self.sublinear_tf)
        self._last_query = (text, result)  # one tuple assignment: safe to share across threads
        return result

    def transform(self, texts: Iterable[str]) -> csr_matrix:
        """TF-IDF rows of ``texts`` over the fitted vocabulary (L2-normalised, CSR float64).

        Terms outside the vocabulary are ignored; a text without any known term is a zero row.
        """
        import numpy as np
        from scipy.sparse import csr_matrix

        self._check_fitted()
        if isinstance(texts, str):
            raise TypeError("transform takes a list of texts; for one text use score(text)")
        rows = [self._weights(doc) for doc in self._tokenize(texts)]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(cols) for cols, _ in rows], out=indptr[1:])
        indices = np.concatenate([cols for cols, _ in rows]) if rows else np.zeros(0, np.int64)
        data = np.concatenate([w for _, w in rows]) if rows else np.zeros(0)
        return csr_matrix((data, indices, indptr), shape=(len(rows), len(self.vocabulary_)))

    def score(self, text: str) -> np.ndarray:
        """Cosine similarity of ``text`` to every clause, in ``ids_`` order (0 to 1).

        Pure numpy: a query on a loaded index imports neither scipy nor scikit-learn nor jieba.
        """
        import numpy as np

        self._check_fitted()
        cols, weights = self._query(text)
        query = np.zeros(len(self.vocabulary_))
        query[np.array(cols, dtype=np.int64)] = weights
        csr = self._arrays()[1]
        if self._row_of is None:
            self._row_of = np.repeat(np.arange(len(self.ids_)), np.diff(csr.indptr))
        return np.bincount(self._row_of, weights=csr.data * query[csr.indices],
                           minlength=len(self.ids_)).astype(np.float64, copy=False)

    def _score_list(self, text: str) -> list[float]:
        """``score(text).tolist()``; without numpy for an index loaded without it."""
        self._check_fitted()
        plain = self._plain
        if plain is None or self._csr is not None:
            return self.score(text).tolist()
        return plain_scores(plain.data, plain.indices, plain.indptr, *self._query(text))

    def score_many(self, texts: Iterable[str]) -> np.ndarray:
        """Cosine similarities, shape ``(n_texts, n_clauses)``: one sparse product per batch.

        The result is dense: pass batches of a size that fits in memory (rows × clauses × 8 B).
        """
        import numpy as np

        queries = self.transform(texts)
        return np.asarray((queries @ self.matrix_.T).toarray(), dtype=np.float64)

    def top_terms(self, text: str, row: int | str, k: int = 5) -> list[tuple[str, float]]:
        """The terms that contribute most to ``text``'s score against one clause.

        ``row`` is a row number or a clause id. Each contribution is the product of the two
        TF-IDF weights; all contributions sum to :meth:`score`. Only terms in both are listed,
        largest first (ties by term).
        """
        self._check_fitted()
        if isinstance(row, str):
            if row not in self._rows:
                raise UnknownClauseError(f"no clause {row!r} in this index")
            row = self._rows[row]
        np = sys.modules.get("numpy")  # a numpy integer can only come from a numpy imported
        if isinstance(row, bool) or not (isinstance(row, int)
                                         or (np is not None and isinstance(row, np.integer))):
            raise TypeError(f"row must be a row number or a clause id, got {row!r}")
        if not 0 <= row < len(self.ids_):
            raise IndexError(f"row {row} is outside 0..{len(self.ids_) - 1}")
        cols, weights = self._query(text)
        csr: CsrArrays | PlainArrays | None = self._csr if self._csr is not None else self._plain
        assert csr is not None
        start, stop = int(csr.indptr[row]), int(csr.indptr[row + 1])
        clause = dict(zip(csr.indices[start:stop].tolist(), csr.data[start:stop].tolist(),
                          strict=True))
        found = [(self._terms[c], w * clause[c])
                 for c, w in zip(cols, weights, strict=True) if c in clause]
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[: max(k, 0)]

    # -- persistence -------------------------------------------------------------------------
    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the index to ``directory`` atomically and return its path.

        The files are written into a temporary directory next to the target, which is then
        renamed into place; an existing index there is replaced. A directory that holds anything
        else is left alone (``FileExistsError``).
        """
        import numpy as np
        from scipy.sparse import save_npz

        self._check_fitted()
        target = Path(directory)
        if target.exists() and not replaceable(target):
            raise FileExistsError(
                f"{target} exists and is not a policymatch index; choose an empty or new directory"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        staging.mkdir()
        try:
            write_json(staging / "meta.json", self._meta())
            write_json(staging / "vocabulary.json", self.vocabulary_)
            np.save(staging / "idf.npy", self.idf_, allow_pickle=False)
            save_npz(staging / "matrix.npz", self.matrix_, compressed=True)
            write_json(staging / "lexicon.json", self.lexicon_.to_dict())
            if target.exists():
                old = target.parent / f".{target.name}.{secrets.token_hex(6)}.old"
                os.replace(target, old)
                os.replace(staging, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    def _meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "policymatch_version": library_version(),
            "fingerprint": self.fingerprint_,
            "params": {
                "sublinear_tf": self.sublinear_tf,
                "min_df": self.min_df,
                "damped": None if self.damped is None else dict(sorted(self.damped.items())),
                "query_tokenizer": self.query_tokenizer,
                "tokenizer": {**tokenizer_params(self.tokenizer_),
                              "engine": self.tokenizer_.engine},
            },
            "ids": list(self.ids_),
            "n_terms": len(self.vocabulary_),
        }

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, expected_fingerprint: str | None = None,
             tokenizer: Tokenizer | None = None) -> ClauseIndex:
        """Read an index written by :meth:`save`, without pickle and without scikit-learn.

        ``tokenizer`` becomes the index's tokenizer (to share one jieba instance); by default
        one is made from the saved parameters. Raises
        :class:`~policymatch.errors.IndexFormatError` (saying how to rebuild) when the directory
        is missing, holds a pickle file, was written by another policymatch version or format,
        was fitted on another corpus than ``expected_fingerprint`` or with a tokenizer whose
        dictionary, stopwords or HMM setting differ from ``tokenizer``'s, or is damaged.
        """
        path = Path(directory)
        if not path.is_dir():
            raise IndexFormatError(f"{path}: no index directory there; {_REBUILD}")
        pickles = sorted(p.name for p in path.rglob("*") if p.suffix in (".pkl", ".pickle"))
        if pickles:
            raise IndexFormatError(
                f"{path}: holds a pickle file ({', '.join(pickles)}); policymatch never loads "
                f"pickles. Delete the directory and {_REBUILD}"
            )
        missing = [name for name in _FILES if not (path / name).is_file()]
        if missing:
            raise IndexFormatError(f"{path}: missing {', '.join(missing)}; {_REBUILD}")
        meta = read_json(path / "meta.json")
        check_meta(path, meta, expected_fingerprint)
        try:
            params = meta["params"]
            ids = tuple(str(i) for i in meta["ids"])
            saved_tokenizer = check_saved_tokenizer(path, params["tokenizer"])
            if tokenizer is None:
                if saved_tokenizer["user_dict_sha256"] is not None:
                    raise IndexFormatError(
                        f"{path}: fitted with a user dictionary; pass the same "
                        "tokenizer=Tokenizer(user_dict=...) to load it (a saved index names no "
                        "file to read)")
                tokenizer = Tokenizer(stopwords=saved_tokenizer["stopwords"],
                                      hmm=saved_tokenizer["hmm"],
                                      engine=params["tokenizer"].get("engine", "jieba"))
            damped = params["damped"]
            vocabulary = {str(k): int(v) for k, v in read_json(path / "vocabulary.json").items()}
            # without numpy when it is not imported yet and the arrays are as numpy writes them;
            # anything else (damaged too) is read, and explained, by the numpy readers
            plain = None if _numpy_loaded() else read_plain(path, len(ids), len(vocabulary))
            idf: np.ndarray | None = None
            csr: CsrArrays | None = None
            if plain is None:
                idf = load_npy(path / "idf.npy", (len(vocabulary),))
                csr = load_csr(path / "matrix.npz", len(ids), len(vocabulary))
            lexicon = VocabularyTokenizer.from_dict(read_json(path / "lexicon.json"))
            index = cls(tokenizer=tokenizer, sublinear_tf=bool(params["sublinear_tf"]),
                        min_df=int(params["min_df"]), query_tokenizer=params["query_tokenizer"],
                        damped=None if damped is None else check_damped(
                            {str(k): float(v) for k, v in damped.items()}))
        except IndexFormatError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OSError, EOFError,
                RecursionError, zipfile.BadZipFile, zlib.error) as exc:
            detail = shorten(f"{type(exc).__name__}: {exc}")
            raise IndexFormatError(f"{path}: damaged index ({detail}); {_REBUILD}") from exc
        differ = [k for k, v in tokenizer_params(tokenizer).items() if saved_tokenizer.get(k) != v]
        if differ:
            raise IndexFormatError(
                f"{path}: fitted with another tokenizer ({', '.join(differ)} differ); {_REBUILD}"
            )
        n_terms = len(vocabulary)
        problems = []
        if sorted(vocabulary.values()) != list(range(n_terms)):
            problems.append("vocabulary columns are not 0..n-1")
        if idf is not None and csr is not None:  # read_plain checked the plain arrays alike
            import numpy as np

            if idf.dtype != np.float64 or idf.shape != (n_terms,):
                problems.append(f"idf.npy is {idf.dtype} {idf.shape}, expected float64 "
                                f"({n_terms},)")
            elif not np.all(np.isfinite(idf)):
                problems.append("idf.npy holds values that are not finite numbers")
            if csr.shape != (len(ids), n_terms):
                problems.append(f"matrix is {csr.shape}, expected {(len(ids), n_terms)}")
            elif not csr.valid():
                problems.append("matrix.npz indices or indptr are out of range")
        if problems:
            raise IndexFormatError(f"{path}: damaged index ({'; '.join(problems)}); {_REBUILD}")
        index._set_state(ids=ids, vocabulary=vocabulary, idf=idf, csr=csr, plain=plain,
                         lexicon=lexicon, fingerprint=str(meta["fingerprint"]),
                         tokenizer=tokenizer)
        return index
