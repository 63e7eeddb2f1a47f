"""What :meth:`policymatch.text.Tokenizer.restricted` draws from jieba's dictionary.

The lexicon of a :class:`~policymatch.text.VocabularyTokenizer` is the query vocabulary plus the
dictionary words that could move a boundary around it: every one-character word, the words that
start with a character that is no word alone, the words containing or overlapping a lexicon word
(its boundary competitors) and the most frequent words. numpy is imported here only, on use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DictionaryView", "competitors"]

_COMPETITORS = 20000  # most frequent jieba words a restricted lexicon keeps


@dataclass(frozen=True)
class DictionaryView:
    """The parts of jieba's dictionary that :meth:`Tokenizer.restricted` draws on."""

    singles: dict[str, int]  # every one-character word
    orphans: dict[str, int]  # words whose first character is no word alone (A股): without them
    # that character could stand alone where jieba cannot let it, and move a boundary
    cased: dict[str, int]  # words with upper-case ASCII letters
    longer: list[str]  # every word of two characters or more
    frequent: dict[str, int]  # the ``_COMPETITORS`` most frequent words

    @classmethod
    def of(cls, freq: Mapping[str, int]) -> DictionaryView:
        import numpy as np

        singles = {w: f for w, f in freq.items() if f and len(w) == 1}
        longer = [w for w, f in freq.items() if f and len(w) > 1]  # f == 0: only a prefix
        cased = {w: freq[w] for w in longer if w.lower() != w}
        orphans = {w: freq[w] for w in longer if not freq.get(w[0])}
        counts = np.fromiter(map(freq.__getitem__, longer), dtype=np.int64, count=len(longer))
        top = np.argsort(-counts, kind="stable")[:_COMPETITORS]
        frequent = {longer[i]: int(counts[i]) for i in top.tolist()}
        return cls(singles, orphans, cased, longer, frequent)


def competitors(view: DictionaryView, lexicon: list[str], freq: Mapping[str, int]
                 ) -> dict[str, int]:
    """Dictionary words that contain a lexicon word, or overlap one by two characters or more.

    Each contains a character pair of some lexicon word: numpy finds those words in one pass
    over the dictionary, and Python checks only them.
    """
    import numpy as np

    known = set(lexicon)
    pairs = {w[i:i + 2] for w in known for i in range(len(w) - 1)}
    if not pairs:
        return {}
    codes = np.frombuffer("\n".join(view.longer).encode("utf-32-le"), dtype=np.uint32)
    joined = (codes[:-1].astype(np.uint64) << np.uint64(32)) | codes[1:]
    wanted = np.array(sorted((ord(p[0]) << 32) | ord(p[1]) for p in pairs), dtype=np.uint64)
    slot = np.minimum(np.searchsorted(wanted, joined), len(wanted) - 1)
    hits = np.flatnonzero(wanted[slot] == joined)
    owner = np.cumsum(codes == ord("\n"))[hits]  # which word holds each hit
    prefixes = {w[:i] for w in known for i in range(1, len(w) + 1)}
    heads = {w[:i] for w in known for i in range(2, len(w))}
    tails = {w[i:] for w in known for i in range(1, len(w) - 1)}
    out: dict[str, int] = {}
    for index in np.unique(owner).tolist():
        word = view.longer[index]
        if word in known:
            continue
        if _contains_any(word, known, prefixes) or any(
            word[:i] in tails or word[i:] in heads for i in range(1, len(word))
        ):
            out[word] = freq[word]
    return out


def _contains_any(word: str, known: set[str], prefixes: set[str]) -> bool:
    """Whether ``word`` contains a word of ``known`` of two characters or more."""
    n = len(word)
    for i in range(n - 1):
        for j in range(i + 1, n + 1):
            piece = word[i:j]
            if piece not in prefixes:
                break
            if j - i >= 2 and piece in known:
                return True
    return False
