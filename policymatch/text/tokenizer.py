"""Chinese text for matching: :func:`normalize` and the :class:`Tokenizer` with the domain dictionary.

The tokenizer owns one private ``jieba.Tokenizer`` (never jieba's module-level default) loaded
with the packaged ``policymatch/data/userdict.txt`` (jieba's ``word freq tag`` lines): every name
of ``aliases.yaml`` and the policy vocabulary (专精特新, 亩均效益, 首台套…). To add a term, add
a line ``term 20000 n``.

A token is a segment of jieba's maximum-probability path (HMM off by default) over the
normalised text, except that one-character segments (an unknown word falls apart into them, and
元, 年, 按 carry no topic), segments without a letter (amounts, percentages, punctuation) and
stopwords (function words only: IDF already discounts 企业) are dropped; ASCII is lower-cased;
and a domain compound also counts as each domain term inside it (国家级专精特新小巨人 also
yields 专精特新 and 小巨人).

``engine="rjieba"`` gives the same tokens tens of times faster (jieba-rs, and each piece of
text between punctuation segmented once per tokenizer: 经营范围 texts repeat their phrases);
:meth:`Tokenizer.restricted` gives a :class:`VocabularyTokenizer` that never imports jieba
(milliseconds instead of a second).
"""

from __future__ import annotations

import logging
import math
import os
import re
import string
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..params import Params
from .lexicon_view import DictionaryView, competitors
from .visible import visible

__all__ = ["Tokenizer", "VocabularyTokenizer", "default_stopwords", "domain_terms",
           "expand_query", "normalize", "query_synonyms"]

Engine = Literal["jieba", "rjieba"]
_T = TypeVar("_T")

_WHITESPACE = re.compile(r"\s+")
# The characters jieba's default mode joins into one block (its ``re_han_default``), without the
# "-" that some jieba-rs releases leave out. Segmenting block by block makes both engines agree.
WORD_BLOCK = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._%]+")
_NOT_LETTERS = "0123456789+#&._%"  # the block characters that are not letters
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_DOMAIN_FREQ = 20000  # a frequency that keeps a domain term in one piece
_DATA = "policymatch.data"
# Where ``engine="rjieba"`` cuts a text before normalising it. None of these characters becomes a
# block character under NFKC, has a combining class, takes part in a canonical composition or
# occurs in OpenCC's t2s dictionaries (CJK ideographs only), so normalising is local to a piece
# and a text's tokens are its pieces' tokens in order (tests/test_text.py checks all of Unicode).
PIECE_BREAK = re.compile(r"[、；，。（）：;,():\s]+")
_MAXPIECE_BREAK = 200_000  # pieces whose tokens one tokenizer keeps; then it starts afresh


# -- normalisation ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return ``text`` in the one form that is tokenised and compared.

    NFKC (full-width letters, digits and punctuation become half-width), traditional → simplified
    Chinese (OpenCC ``t2s``), runs of whitespace collapsed to one space, ends stripped.

    Examples
    --------
    >>> normalize("  專精特新「小巨人」ＡＢＣ１２３\\n\\t企業 ")
    '专精特新「小巨人」ABC123 企业'
    """
    text = visible(unicodedata.normalize("NFKC", text))
    if not text.isascii():
        text = _t2s().convert(text)
    return _WHITESPACE.sub(" ", text).strip()


# -- packaged data ----------------------------------------------------------------------------
def _parse_dictionary(text: str, *, source: str) -> list[tuple[str, int, str]]:
    """Parse jieba's ``word [freq] [tag]`` lines; a missing frequency means ``_DOMAIN_FREQ``."""
    entries: list[tuple[str, int, str]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        freq = int(parts.pop(1)) if len(parts) > 1 and parts[1].isdigit() else _DOMAIN_FREQ
        if len(parts) > 2 or freq < 1:
            problems.append(f"{source}:{number}: {line.strip()!r} is not 'word freq tag' "
                            "with a frequency of at least 1")
            continue
        entries.append((normalize(parts[0]), freq, parts[1] if len(parts) == 2 else ""))
    if problems:
        raise ValueError("; ".join(problems))
    return entries


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from ..packaged import packaged_yaml

    raw = packaged_yaml("synonyms.yaml")
    pairs = [(normalize(str(k)), tuple(str(t) for t in v)) for k, v in (raw or {}).items()]
    return tuple(sorted(pairs, key=lambda kv: (-len(kv[0]), kv[0])))


def query_synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The everyday words :func:`expand_query` looks for (normalised, longest first) and the
    policy terms each stands for, in the order it tries them.

    Examples
    --------
    >>> dict(query_synonyms())["交税"]
    ('纳税', '税收')
    """
    return _synonyms()


def expand_query(text: str) -> str:
    """Add the policy terms that a query's everyday words stand for (``data/synonyms.yaml``).

    Only queries are expanded (search texts, enterprise descriptions), never clause texts, so
    relevance stays TF-IDF over what the policies actually say.

    Examples
    --------
    >>> expand_query("去年交税三百万")
    '去年交税三百万 纳税 税收'
    >>> expand_query("数控机床")
    '数控机床'
    """
    norm = normalize(text)
    extra: list[str] = []
    for word, terms in _synonyms():
        if word in norm:
            extra.extend(t for t in terms if t not in extra and t not in norm)
    return f"{text} {' '.join(extra)}" if extra else text


def _packaged_entries() -> tuple[tuple[str, int, str], ...]:
    raw = resources.files(_DATA).joinpath("userdict.txt").read_text("utf-8")
    return tuple(_parse_dictionary(raw, source="policymatch/data/userdict.txt"))


def domain_terms() -> list[str]:
    """Every term of the packaged domain dictionary, in file order.

    Other modules use it to check coverage (every alias and policy term stays one token).

    Examples
    --------
    >>> terms = domain_terms()
    >>> "专精特新" in terms and "亩均效益" in terms
    True
    """
    return [word for word, _, _ in _packaged_entries()]


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """The packaged stopwords (function words and punctuation), as normalised lower-case tokens.

    Examples
    --------
    >>> {"的", "和", "给予"} <= default_stopwords()
    True
    >>> "企业" in default_stopwords()
    False
    """
    raw = resources.files(_DATA).joinpath("stopwords.txt").read_text("utf-8")
    return frozenset(normalize(w).translate(_ASCII_LOWER) for w in raw.splitlines() if w.strip())


# -- shared token rules ----------------------------------------------------------------------
def _compounds(terms: Iterable[str], stopwords: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Map each domain term (lower-cased) to the other domain terms it contains."""
    lowered = sorted({t.translate(_ASCII_LOWER) for t in terms if len(t) >= 2} - stopwords)
    parts = {t: tuple(p for p in lowered if len(p) < len(t) and p in t) for t in lowered}
    return {term: inside for term, inside in parts.items() if inside}


def _finish(raw: Iterable[str], stopwords: frozenset[str],
            compounds: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Apply the token rules of the module docstring to raw segments."""
    out: list[str] = []
    for token in raw:
        if len(token) < 2 or not token.strip(_NOT_LETTERS):
            continue
        token = token.translate(_ASCII_LOWER)
        if token in stopwords:
            continue
        out.append(token)
        parts = compounds.get(token)
        if parts:
            out.extend(parts)
    return out


def _cache_dir(chosen: str | os.PathLike[str] | None) -> str:
    """Where jieba's prefix-dictionary cache goes: ``chosen``, else the user cache directory."""
    if chosen is not None:
        os.makedirs(chosen, exist_ok=True)
        return os.fspath(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    for folder in (os.path.join(base, "policymatch"),
                   os.path.join(tempfile.gettempdir(), f"policymatch-{uid}")):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return tempfile.mkdtemp(prefix="policymatch-")


@dataclass(frozen=True)
class _Rules:
    entries: tuple[tuple[str, int, str], ...]
    stopwords: frozenset[str]
    compounds: dict[str, tuple[str, ...]]


# -- the tokenizer ---------------------------------------------------------------------------
class Tokenizer(Params):
    """Segment Chinese policy and enterprise text into TF-IDF tokens.

    The constructor only stores its parameters; jieba loads on first use, once, even when many
    threads ask at once. Pickles without its jieba instance (rebuilt lazily) for Dask workers.

    Parameters
    ----------
    user_dict : path, optional
        An extra jieba-format dictionary (``word [freq] [tag]`` per line), loaded after the
        packaged domain dictionary. A missing frequency means 20000 (jieba would guess one).
    stopwords : iterable of str, optional
        Tokens to drop, replacing the packaged list (:func:`default_stopwords`).
    hmm : bool, default False
        Let jieba's HMM guess unknown words (context-dependent; :meth:`restricted` ignores it).
    cache_dir : path, optional
        Where jieba caches its prefix dictionary. Default: ``$XDG_CACHE_HOME/policymatch`` (or
        ``~/.cache/policymatch``), else ``<tmp>/policymatch-<uid>`` when that is not writable.
    engine : {"jieba", "rjieba"}, default "jieba"
        ``"rjieba"``: jieba-rs (``pip install 'policymatch[fast]'``), same dictionary and tokens,
        over twenty times faster on 经营范围 texts (it keeps the tokens of each piece of text).

    Examples
    --------
    >>> tok = Tokenizer()
    >>> tok.tokenize("对新认定的国家高新技术企业给予30万元奖励")
    ['认定', '国家高新技术企业', '高新技术企业', '奖励']
    """

    def __init__(self, *, user_dict: str | os.PathLike[str] | None = None,
                 stopwords: Iterable[str] | None = None, hmm: bool = False,
                 cache_dir: str | os.PathLike[str] | None = None, engine: Engine = "jieba") -> None:
        self.user_dict = user_dict
        self.stopwords = stopwords
        self.hmm = hmm
        self.cache_dir = cache_dir
        self.engine = engine
        self._init_private()

    def _init_private(self) -> None:
        self._lock = threading.RLock()
        self._rules: _Rules | None = None
        self._jieba: Any = None
        self._rjieba: Any = None
        self._view: DictionaryView | None = None
        self._pieces: dict[str, list[str]] = {}

    def _params_changed(self) -> None:
        self._init_private()  # the segmenters rebuild lazily with the new parameters

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items()
                   if v != {"hmm": False, "engine": "jieba"}.get(k)}
        return f"Tokenizer({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # pickling: the jieba instances and the lock stay behind and rebuild lazily
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_private()

    # -- lazy state, each built once under the lock ----------------------------------------
    def _lazy(self, name: str, build: Callable[[], _T]) -> _T:
        value: _T | None = getattr(self, name)
        if value is None:
            with self._lock:
                value = getattr(self, name)
                if value is None:
                    value = build()
                    setattr(self, name, value)
        return value

    def _get_rules(self) -> _Rules:
        return self._lazy("_rules", self._build_rules)

    def _build_rules(self) -> _Rules:
        if self.engine not in ("jieba", "rjieba"):
            raise ValueError(f"engine must be 'jieba' or 'rjieba', got {self.engine!r}")
        entries = list(_packaged_entries())
        if self.user_dict is not None:
            path = Path(self.user_dict)
            try:
                raw = path.read_text("utf-8")
            except OSError as exc:
                raise FileNotFoundError(f"user_dict {path}: cannot read it ({exc})") from exc
            entries.extend(_parse_dictionary(raw, source=str(path)))
        if self.stopwords is None:
            stop = default_stopwords()
        else:
            stop = frozenset(normalize(w).translate(_ASCII_LOWER) for w in self.stopwords)
        terms = [word for word, _, _ in entries]
        return _Rules(tuple(entries), stop, _compounds(terms, stop))

    def _get_jieba(self) -> Any:
        return self._lazy("_jieba", self._new_jieba)

    def _new_jieba(self) -> Any:
        import jieba

        rules = self._get_rules()
        inst = jieba.Tokenizer()
        inst.tmp_dir = _cache_dir(self.cache_dir)
        inst.cache_file = f"jieba-{jieba.__version__}.cache"
        jieba_logger = logging.getLogger("jieba")
        level = jieba_logger.level
        jieba_logger.setLevel(logging.WARNING)  # its "Building prefix dict…" chatter, ours only
        try:
            inst.initialize()
        finally:
            jieba_logger.setLevel(level)
        for word, freq, tag in rules.entries:
            inst.add_word(word, freq, tag or None)
        # jieba adds a re-added word's frequency to the total without taking the old one out;
        # jieba-rs does. Recount, so both engines share one probability model.
        inst.total = sum(inst.FREQ.values())
        return inst

    def _new_rjieba(self) -> Any:
        try:
            import rjieba
        except ImportError as exc:
            msg = "engine='rjieba' needs the rjieba package: pip install 'policymatch[fast]'"
            raise ImportError(msg) from exc
        rules = self._get_rules()
        inst = rjieba.Jieba()  # jieba-rs bundles the same dict.txt as jieba
        for word, freq, tag in rules.entries:
            inst.add_word(word, freq, tag or None)
        return inst

    # -- public ------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one text (see the module docstring for what a token is).

        Examples
        --------
        >>> Tokenizer().tokenize("企業研發費用年度增長超過20%")
        ['企业', '研发费用', '年度', '增长', '超过']
        """
        if self.engine == "rjieba":
            return self._tokenize_pieces(text)
        rules = self._get_rules()
        blocks = "\n".join(WORD_BLOCK.findall(normalize(text)))  # one engine call for all blocks
        raw = self._get_jieba().cut(blocks, HMM=self.hmm)
        return _finish(raw, rules.stopwords, rules.compounds)

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Return the tokens of each text; with ``engine="rjieba"`` this is the fast bulk path.

        Examples
        --------
        >>> Tokenizer().tokenize_many(["技术改造", "小升规奖励"])
        [['技术改造'], ['小升规', '奖励']]
        """
        if self.engine == "rjieba":
            return [self._tokenize_pieces(text) for text in texts]
        return [self.tokenize(text) for text in texts]

    def _tokenize_pieces(self, text: str) -> list[str]:
        """jieba-rs over the pieces of ``text`` (see ``PIECE_BREAK``), each piece's tokens kept.

        ``engine="jieba"`` stays the reference that segments every text whole; a test checks
        that both give the same tokens on the corpus and a population of 经营范围 texts.
        """
        pieces = self._pieces
        out: list[str] = []
        for piece in PIECE_BREAK.split(text):
            got = pieces.get(piece)
            if got is None:
                got = self._piece_tokens(piece)
            out += got
        return out

    def _piece_tokens(self, piece: str) -> list[str]:
        rules = self._get_rules()
        segmenter = self._lazy("_rjieba", self._new_rjieba)
        blocks = "\n".join(WORD_BLOCK.findall(normalize(piece)))
        tokens = _finish(segmenter.cut(blocks, self.hmm), rules.stopwords, rules.compounds)
        if len(self._pieces) >= _MAXPIECE_BREAK:  # free text that never repeats
            self._pieces = {}
        self._pieces[piece] = tokens
        return tokens

    def restricted(self, vocabulary: Iterable[str]) -> VocabularyTokenizer:
        """A tokenizer that needs no jieba, with the same in-vocabulary tokens as this one.

        Terms outside an index's vocabulary get no TF-IDF weight, so a query only needs the
        in-vocabulary tokens this tokenizer would produce. The result runs jieba's segmentation
        (same frequencies, total and tie-breaking) over a small lexicon: ``vocabulary``, domain
        terms, stopwords, every one-character word, the words that start with a character that
        is no word alone (A股, C++), the jieba words that contain a lexicon word or overlap one
        by two characters or more (its boundary competitors), and the 20,000 most frequent
        words. When every word of jieba's best path is in the lexicon the result is provably the
        same (so always on the texts the vocabulary came from). It ignores ``hmm``, and builds
        the jieba instance even with ``engine="rjieba"`` (it needs the frequencies).

        Measured against the full tokenizer on 2,536 texts (62 policy clauses, 200 enterprise
        descriptions and queries, prose, 2,000 windows cut mid-word), for indexes fitted on 31
        and 62 clauses: in-vocabulary tokens identical for every text, cosine scores equal
        (max abs diff 0.0), top-3 identical for 100%. The texts are written in the style of
        real ones, not drawn from them; a rare word can still move a boundary.

        Examples
        --------
        >>> tok = Tokenizer()
        >>> fast = tok.restricted(["研发费用", "补助", "技术改造"])
        >>> fast.tokenize("研发费用和技术改造补助")
        ['研发费用', '技术改造', '补助']
        """
        rules = self._get_rules()
        freq: dict[str, int] = self._get_jieba().FREQ
        view = self._lazy("_view", lambda: DictionaryView.of(freq))
        wanted = {term.translate(_ASCII_LOWER) for term in vocabulary}
        wanted.update(word.translate(_ASCII_LOWER) for word, _, _ in rules.entries)
        wanted.update(rules.stopwords)
        core = {w: freq[w] for w in wanted if freq.get(w)}
        core.update((w, f) for w, f in view.cased.items() if w.translate(_ASCII_LOWER) in wanted)
        words = {**view.singles, **view.orphans, **view.frequent, **core}
        words.update(competitors(view, [w for w in core if len(w) >= 2], freq))
        return VocabularyTokenizer(
            words=words, total=self._get_jieba().total, stopwords=sorted(rules.stopwords),
            compounds=rules.compounds,
        )


class VocabularyTokenizer:
    """jieba's maximum-probability segmentation over a small lexicon, without jieba.

    Built by :meth:`Tokenizer.restricted`; plain data that pickles and round-trips through
    :meth:`to_dict` / :meth:`from_dict` (JSON). Text outside the lexicon falls apart into single
    characters, which are dropped like any one-character token.

    Parameters
    ----------
    words : mapping of str to int
        Lexicon: word → jieba frequency (probability ``freq / total``).
    total : float
        The full dictionary's total frequency.
    stopwords : iterable of str
        Normalised lower-case tokens to drop.
    compounds : mapping of str to sequence of str
        Domain compound → the domain terms it contains, emitted after it.

    Examples
    --------
    >>> vt = VocabularyTokenizer(words={"研发": 1976, "研发费用": 20000, "费用": 3802},
    ...                          total=60_000_000, stopwords=["的"])
    >>> vt.tokenize("企业的研发费用")
    ['研发费用']
    """

    def __init__(self, *, words: Mapping[str, int], total: float, stopwords: Iterable[str] = (),
                 compounds: Mapping[str, Sequence[str]] | None = None) -> None:
        self.words = words
        self.total = total
        self.stopwords = stopwords
        self.compounds = compounds
        self._prepared: tuple[int, frozenset[str], dict[str, tuple[str, ...]]] | None = None

    def _prepare(self) -> tuple[int, frozenset[str], dict[str, tuple[str, ...]]]:
        prepared = self._prepared
        if prepared is None:  # idempotent, so a race at most computes it twice
            longest = max(map(len, self.words), default=1)
            compounds = {k: tuple(v) for k, v in (self.compounds or {}).items()}
            prepared = (longest, frozenset(self.stopwords), compounds)
            self._prepared = prepared
        return prepared

    def __repr__(self) -> str:
        return f"VocabularyTokenizer(<{len(self.words)} words>)"

    def _segment(self, block: str, longest: int) -> Iterator[str]:
        """jieba's ``__cut_DAG_NO_HMM`` over the lexicon, operation for operation."""
        words = self.words
        n = len(block)
        logtotal = math.log(self.total)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for start in range(n - 1, -1, -1):
            best: tuple[float, int] | None = None
            for end in range(start, min(n, start + longest)):
                f = words.get(block[start:end + 1])
                if f:
                    cand = (math.log(f) - logtotal + route[end + 1][0], end)
                    if best is None or cand > best:
                        best = cand
            if best is None:  # jieba: a character that starts no word stands alone, frequency 1
                best = (-logtotal + route[start + 1][0], start)
            route[start] = best
        pos, buf = 0, ""
        while pos < n:
            end = route[pos][1] + 1
            word = block[pos:end]
            if len(word) == 1 and word in _ASCII_ALNUM:  # jieba joins lone letters and digits
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            pos = end
        if buf:
            yield buf

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one text (same rules as :meth:`Tokenizer.tokenize`)."""
        longest, stop, compounds = self._prepare()
        raw = (w for block in WORD_BLOCK.findall(normalize(text)) for w in self._segment(block, longest))
        return _finish(raw, stop, compounds)

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Return the tokens of each text."""
        return [self.tokenize(text) for text in texts]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; :meth:`from_dict` rebuilds an equal tokenizer."""
        return {"words": dict(self.words), "total": self.total, "stopwords": sorted(self.stopwords),
                "compounds": {k: list(v) for k, v in (self.compounds or {}).items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VocabularyTokenizer:
        """Rebuild from :meth:`to_dict` output; raises ``ValueError`` on malformed data."""
        try:
            words = data["words"]
            if type(words) is not dict or not set(map(type, words.values())) <= {int}:
                words = {str(k): int(v) for k, v in words.items()}  # else JSON's: str → int
            total = float(data["total"])
            stopwords = [str(w) for w in data["stopwords"]]
            compounds = {str(k): [str(p) for p in v] for k, v in data["compounds"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a VocabularyTokenizer lexicon: {exc!r}") from exc
        if total <= 0:
            raise ValueError(f"lexicon total must be positive, got {total}")
        return cls(words=words, total=total, stopwords=stopwords, compounds=compounds)
