"""An index loaded where numpy is not imported reads its arrays and scores one query in plain
Python: the same bits as the numpy path, the same refusals, and a command that never imports
numpy, scipy, scikit-learn or PyYAML prints what it prints with numpy imported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_index_damage import DAMAGE, _npy, _rewrite_npz

import policymatch.index.clause_index as clause_index_module
from policymatch import Matcher, load_policies
from policymatch.audience import profile_query
from policymatch.corpus.compiled import compiled_dir
from policymatch.errors import IndexFormatError
from policymatch.index import ClauseIndex
from policymatch.index.saved import read_plain
from policymatch.index.weighting import plain_weights
from policymatch.profile import load_profile
from policymatch.text import Tokenizer

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
COMPILED = compiled_dir() / "index"


def _load(path: Path, *, plain: bool, tokenizer: Tokenizer | None = None) -> ClauseIndex:
    """``ClauseIndex.load`` as a process without numpy (``plain``) or with it would run it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clause_index_module, "_numpy_loaded", lambda: not plain)
        return ClauseIndex.load(path, tokenizer=tokenizer)


def _numpy_reference(index: ClauseIndex, text: str) -> list[float]:
    """The numpy path as it stood before the plain one: numpy weights, one ``bincount``."""
    cols, weights = index._weights(index._tokenize([text])[0])
    query = np.zeros(len(index.vocabulary_))
    query[cols] = weights
    csr = index._arrays()[1]
    rows = np.repeat(np.arange(len(index.ids_)), np.diff(csr.indptr))
    scores: list[float] = np.bincount(rows, weights=csr.data * query[csr.indices],
                                      minlength=len(index.ids_)).tolist()
    return scores


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


@pytest.fixture(scope="module")
def plain_index(tokenizer: Tokenizer) -> ClauseIndex:
    index = _load(COMPILED, plain=True, tokenizer=tokenizer)
    assert index._plain is not None and index._csr is None  # the plain path was taken
    return index


@pytest.fixture(scope="module")
def numpy_index(tokenizer: Tokenizer) -> ClauseIndex:
    index = _load(COMPILED, plain=False, tokenizer=tokenizer)
    assert index._plain is None and index._csr is not None
    return index


def _same_scores(plain: ClauseIndex, numpy: ClauseIndex, text: str) -> None:
    got = plain._score_list(text)
    assert plain._csr is None, "scoring in plain Python made numpy arrays"
    expected = _numpy_reference(numpy, text)
    assert all(type(s) is float for s in got)
    assert got == expected  # exactly: not approximately
    assert numpy.score(text).tolist() == expected and numpy._score_list(text) == expected
    n = len(plain.ids_)
    for row in range(0, n, 7):
        assert plain.top_terms(text, row, k=50) == numpy.top_terms(text, row, k=50)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_scores_the_same_bits_in_plain_python(example: Path, plain_index: ClauseIndex,
                                                            numpy_index: ClauseIndex) -> None:
    profile = load_profile(json.loads(example.read_text("utf-8")))
    query = profile_query(profile)
    assert query.strip()
    _same_scores(plain_index, numpy_index, query)
    assert max(plain_index._score_list(query)) > 0  # the query meets the corpus somewhere


@given(words=st.lists(st.integers(0, 10_000), max_size=40),
       noise=st.text(alphabet="研发费用补助人才企业的了，。 abcAB123", max_size=30),
       repeat=st.integers(1, 4))
def test_any_text_scores_the_same_bits_in_plain_python(plain_index: ClauseIndex,
                                                       numpy_index: ClauseIndex, words: list[int],
                                                       noise: str, repeat: int) -> None:
    terms = numpy_index._terms
    text = (" ".join(terms[w % len(terms)] for w in words) + noise) * repeat
    _same_scores(plain_index, numpy_index, text)
    tokens = numpy_index._tokenize([text])[0]
    cols, weights = numpy_index._weights(tokens)
    for sublinear in (True, False):
        np_cols, np_weights = (cols, weights) if sublinear else _linear_weights(numpy_index, tokens)
        assert plain_weights(tokens, numpy_index.vocabulary_, numpy_index.idf_.tolist(),
                             sublinear=sublinear) == (np_cols.tolist(), np_weights.tolist())


def _linear_weights(index: ClauseIndex, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
    index.sublinear_tf = False
    try:
        return index._weights(tokens)
    finally:
        index.sublinear_tf = True


def test_an_index_without_sublinear_tf_scores_the_same_bits(tokenizer: Tokenizer,
                                                            tmp_path: Path) -> None:
    pairs = list(load_policies().items())
    texts = [c.text * (1 + i % 3) for i, (_, c) in enumerate(pairs)]
    saved = ClauseIndex(tokenizer=tokenizer, sublinear_tf=False).fit(
        [c.id for _, c in pairs], texts).save(tmp_path / "linear")
    plain, numpy = _load(saved, plain=True), _load(saved, plain=False)
    assert plain._plain is not None
    for text in ("研发费用 研发费用 研发费用 人才", "高新技术企业 专精特新 出口", "", "，。"):
        _same_scores(plain, numpy, text)


def test_the_plain_arrays_are_the_numpy_arrays(plain_index: ClauseIndex,
                                               numpy_index: ClauseIndex) -> None:
    fresh = _load(COMPILED, plain=True)
    assert np.array_equal(fresh.idf_, numpy_index.idf_) and fresh.idf_.dtype == np.float64
    assert (fresh.matrix_ != numpy_index.matrix_).nnz == 0
    csr = fresh._arrays()[1]
    assert csr.indices.dtype == csr.indptr.dtype == np.int64
    assert fresh.score("研发费用").tolist() == numpy_index.score("研发费用").tolist()
    assert fresh._score_list("研发费用") == numpy_index._score_list("研发费用")


def test_a_matcher_reports_the_same_with_a_plain_index(tokenizer: Tokenizer,
                                                       plain_index: ClauseIndex,
                                                       numpy_index: ClauseIndex) -> None:
    plain = Matcher(tokenizer=tokenizer).fit(load_policies())
    numpy = Matcher(tokenizer=tokenizer).fit(load_policies())
    plain.index_, numpy.index_ = plain_index, numpy_index
    for example in EXAMPLES[:4]:
        profile = json.loads(example.read_text("utf-8"))
        assert plain.match(profile, as_of=date(2025, 6, 30), include_ineligible=True).to_json() == \
            numpy.match(profile, as_of=date(2025, 6, 30), include_ineligible=True).to_json()
    assert plain.search("招了几个博士有没有补贴") == numpy.search("招了几个博士有没有补贴")


# -- the plain reader takes only what numpy writes and refuses alike -------------------------------
def _data(d: Path, change: Callable[[np.ndarray], np.ndarray], member: str = "data") -> None:
    with np.load(d / "matrix.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    _rewrite_npz(d / "matrix.npz", f"{member}.npy", _npy(change(arrays[member])))


def _nan(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a[1] = np.nan
    return a


PLAIN_DAMAGE: dict[str, Callable[[Path], object]] = {
    **DAMAGE,
    "nan in data": lambda d: _data(d, _nan),
    "index out of range": lambda d: _data(d, lambda a: a + 10_000, "indices"),
    "negative index": lambda d: _data(d, lambda a: a - 10_000, "indices"),
    "indptr falls": lambda d: _data(d, lambda a: a[::-1].copy(), "indptr"),
    "indptr too short": lambda d: _data(d, lambda a: a[:-1].copy(), "indptr"),
    "data too short": lambda d: _data(d, lambda a: a[:-1].copy()),
    "csc matrix": lambda d: _rewrite_npz(d / "matrix.npz", "format.npy", _npy(np.array(b"csc"))),
    "wrong shape": lambda d: _rewrite_npz(d / "matrix.npz", "shape.npy", _npy(np.array([1, 1]))),
    "missing member": lambda d: _drop_member(d / "matrix.npz", "indptr.npy"),
    "inf in idf": lambda d: (d / "idf.npy").write_bytes(_npy(np.full(len(json.loads(
        (d / "vocabulary.json").read_text())), np.inf))),
}


def _drop_member(path: Path, member: str) -> None:
    with zipfile.ZipFile(path) as old:
        parts = {i.filename: old.read(i) for i in old.infolist() if i.filename != member}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, body in parts.items():
            new.writestr(name, body)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shutil.copytree(COMPILED, tmp_path_factory.mktemp("plain") / "index")


@pytest.mark.parametrize("damage", list(PLAIN_DAMAGE))
def test_a_damaged_index_is_refused_with_the_same_message(saved: Path, tmp_path: Path,
                                                          tokenizer: Tokenizer, damage: str) -> None:
    copy = Path(shutil.copytree(saved, tmp_path / "copy"))
    PLAIN_DAMAGE[damage](copy)
    messages = []
    for plain in (True, False):
        with pytest.raises(IndexFormatError, match="rebuild it") as info:
            _load(copy, plain=plain, tokenizer=tokenizer)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    if any((copy / f).read_bytes() != (saved / f).read_bytes() for f in ("idf.npy", "matrix.npz")):
        meta = json.loads((saved / "meta.json").read_text("utf-8"))
        assert read_plain(copy, len(meta["ids"]), meta["n_terms"]) is None


@pytest.mark.parametrize(("name", "change"), [
    ("float32 data", lambda a: a.astype(np.float32)),  # numpy reads these and converts them
    ("big-endian data", lambda a: a.astype(">f8")),
    ("int64 indices", lambda a: a.astype(np.int64)),
])
def test_arrays_numpy_reads_but_plain_does_not_are_read_by_numpy(saved: Path, tmp_path: Path,
                                                                 tokenizer: Tokenizer, name: str,
                                                                 change: Callable[..., np.ndarray]
                                                                 ) -> None:
    copy = Path(shutil.copytree(saved, tmp_path / "copy"))
    _data(copy, change, "indices" if "indices" in name else "data")
    index = _load(copy, plain=True, tokenizer=tokenizer)
    reference = _load(copy, plain=False, tokenizer=tokenizer)
    assert (index._plain is None) == (name != "int64 indices")  # plain takes int64 indices
    assert index._score_list("研发费用补助 人才") == _numpy_reference(reference, "研发费用补助 人才")


# -- a command that never imports numpy ------------------------------------------------------------
_PROBE = """\
import contextlib, io, json, sys
{first}
from policymatch.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main({argv!r})
print(json.dumps({{"code": code, "out": out.getvalue(),
                  "loaded": [m for m in ("numpy", "scipy", "sklearn", "yaml") if m in sys.modules]}}))
"""


@pytest.mark.parametrize("argv", [
    ["match", str(REPO / "examples" / "auto_parts_maker.json"), "--as-of", "2025-06-30"],
    ["match", str(REPO / "examples" / "nanobody_lab.json"), "--as-of", "2025-06-30", "--all",
     "--format", "json"],
    ["search", "招了几个博士有没有补贴", "--format", "json"],
], ids=["table", "json-all", "search"])
def test_a_command_without_numpy_prints_what_it_prints_with_numpy(argv: list[str],
                                                                  tmp_path: Path) -> None:
    runs = []
    for first in ("", "import numpy"):
        done = subprocess.run([sys.executable, "-c", _PROBE.format(first=first, argv=argv)],
                              capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
                              check=False)
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout))
    without, with_numpy = runs
    assert without["loaded"] == [] and with_numpy["loaded"] == ["numpy"]
    assert without["code"] == with_numpy["code"] == 0
    assert without["out"] == with_numpy["out"] and len(without["out"]) > 500
