"""A saved index is data: every way of damaging it is an IndexFormatError, nothing it says is
followed (no path opened, no setting obeyed), nothing is allocated from a header before it is
checked; a damaged cache is refitted with a warning."""

from __future__ import annotations

import io
import json
import logging
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from policymatch import Matcher, load_policies
from policymatch.errors import IndexFormatError
from policymatch.index import ClauseIndex
from policymatch.text import Tokenizer

MINI = Path(__file__).parent / "data" / "mini.yaml"
IDS = ["rd", "talent", "loan"]
TEXTS = ["研发费用增长给予补助", "人才公寓租房补贴", "贷款贴息支持企业技术改造"]


@pytest.fixture(scope="module")
def saved(tokenizer: Tokenizer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = ClauseIndex(tokenizer=tokenizer).fit(IDS, TEXTS, fingerprint="f")
    return index.save(tmp_path_factory.mktemp("saved") / "index")


@pytest.fixture
def copy(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "copy"))


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def _header_claiming(n: int, dtype: str = "<f8") -> bytes:
    """A .npy header declaring ``n`` values, followed by almost nothing."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({n},), }}"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 16


def _rewrite_npz(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as old:
        parts = {i.filename: old.read(i) for i in old.infolist()}
    parts[member] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, body in parts.items():
            new.writestr(name, body)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated npz": lambda d: (d / "matrix.npz").write_bytes((d / "matrix.npz").read_bytes()[:50]),
    "empty npz": lambda d: (d / "matrix.npz").write_bytes(b""),
    "empty npy": lambda d: (d / "idf.npy").write_bytes(b""),
    "truncated npy": lambda d: (d / "idf.npy").write_bytes((d / "idf.npy").read_bytes()[:90]),
    "text npy": lambda d: (d / "idf.npy").write_text("0.1 0.2 0.3"),
    "pickle npy": lambda d: (d / "idf.npy").write_bytes(_npy(np.array([1.0, 2.0, 3.0]))
                                                        .replace(b"<f8", b"|O")),
    "huge npy header": lambda d: (d / "idf.npy").write_bytes(_header_claiming(300_000_000)),
    "huge npz member": lambda d: _rewrite_npz(d / "matrix.npz", "data.npy",
                                              _header_claiming(300_000_000)),
    "corrupt deflate": lambda d: (d / "matrix.npz").write_bytes(
        (d / "matrix.npz").read_bytes()[:60] + b"\xff" * 40 + (d / "matrix.npz").read_bytes()[100:]),
    "extra npz member": lambda d: _rewrite_npz(d / "matrix.npz", "evil.npy", _npy(np.zeros(2))),
    "deep vocabulary": lambda d: (d / "vocabulary.json").write_text(
        '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "vocabulary not json": lambda d: (d / "vocabulary.json").write_bytes(b"\xff\xfe"),
    "deep lexicon": lambda d: (d / "lexicon.json").write_text("[" * 100_000 + "]" * 100_000),
    "lexicon wrong shape": lambda d: (d / "lexicon.json").write_text('{"words": 3}'),
    "meta ids not a list": lambda d: _edit_meta(d, ids=5),
    "idf of wrong length": lambda d: (d / "idf.npy").write_bytes(_npy(np.ones(2))),
    "idf of ints": lambda d: (d / "idf.npy").write_bytes(
        _npy(np.ones(len(json.loads((d / "vocabulary.json").read_text())), dtype=np.int64))),
}


def _edit_meta(d: Path, **changes: Any) -> None:
    meta = json.loads((d / "meta.json").read_text())
    meta.update(changes)
    (d / "meta.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_every_damage_is_an_index_format_error(copy: Path, damage: str,
                                                tokenizer: Tokenizer) -> None:
    DAMAGE[damage](copy)
    with pytest.raises(IndexFormatError, match="rebuild it") as info:
        ClauseIndex.load(copy, tokenizer=tokenizer)
    assert "allow_pickle" not in str(info.value) and len(str(info.value)) < 1000


def test_a_huge_header_is_refused_before_allocating(copy: Path, tokenizer: Tokenizer) -> None:
    import tracemalloc

    DAMAGE["huge npy header"](copy)
    tracemalloc.start()
    try:
        with pytest.raises(IndexFormatError, match="declares 300,000,000 values"):
            ClauseIndex.load(copy, tokenizer=tokenizer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000


# -- meta.json names no file and no setting --------------------------------------------------------
@pytest.mark.parametrize("planted", [{"user_dict": "/dev/zero"}, {"user_dict": "/etc/passwd"},
                                     {"cache_dir": "/tmp/planted"}, {"engine": "evil"},
                                     {"hmm": "yes"}, {"stopwords": "/etc/passwd"},
                                     {"user_dict_sha256": 7}])
def test_meta_json_cannot_point_the_library_at_a_file(copy: Path, planted: dict[str, Any]) -> None:
    meta = json.loads((copy / "meta.json").read_text())
    meta["params"]["tokenizer"].update(planted)
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(IndexFormatError) as info:
        ClauseIndex.load(copy)
    assert "root:" not in str(info.value)  # nothing of /etc/passwd is quoted


def test_a_saved_index_holds_a_digest_not_a_path(tokenizer: Tokenizer, tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("研发费用增长 20000 n\n", encoding="utf-8")
    custom = Tokenizer(user_dict=words, cache_dir=tokenizer.cache_dir)
    saved = ClauseIndex(tokenizer=custom).fit(IDS, TEXTS).save(tmp_path / "idx")
    meta = (saved / "meta.json").read_text()
    assert str(words) not in meta and "words.txt" not in meta and "user_dict_sha256" in meta
    with pytest.raises(IndexFormatError, match="pass the same tokenizer"):
        ClauseIndex.load(saved)
    assert ClauseIndex.load(saved, tokenizer=custom).ids_ == tuple(IDS)
    words.write_text("别的词 20000 n\n", encoding="utf-8")  # same path, other words
    with pytest.raises(IndexFormatError, match=r"another tokenizer .*user_dict_sha256"):
        ClauseIndex.load(saved, tokenizer=Tokenizer(user_dict=words))


# -- a cache is disposable ---------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated npz", "empty npy", "deep vocabulary", "text npy"])
def test_a_damaged_cache_is_refitted_and_said(tokenizer: Tokenizer, tmp_path: Path, damage: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    policies = load_policies(MINI)
    first = Matcher(tokenizer=tokenizer, index_cache=tmp_path).fit(policies)
    (cached,) = [p for p in tmp_path.iterdir() if p.name.startswith("index-")]
    DAMAGE[damage](cached)
    with caplog.at_level(logging.WARNING, logger="policymatch.matcher"):
        again = Matcher(tokenizer=tokenizer, index_cache=tmp_path).fit(policies)
    assert "cannot be used" in caplog.text and "fitting the index again" in caplog.text
    assert np.array_equal(again.index_.score("研发"), first.index_.score("研发"))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="policymatch.matcher"):
        Matcher(tokenizer=tokenizer, index_cache=tmp_path).fit(policies)  # the cache was rewritten
    assert caplog.text == ""


def test_a_corpus_without_any_term_still_matches(tokenizer: Tokenizer, write_yaml: Any,
                                                 mini_raw: dict[str, Any],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    mini_raw["title"] = "的"
    mini_raw.pop("domain", None)
    for clause in mini_raw["clauses"]:
        clause["title"], clause["text"] = "。", "，。"
        clause.pop("tags", None)
    policies = load_policies(write_yaml(mini_raw))
    with caplog.at_level(logging.WARNING):
        matcher = Matcher(tokenizer=tokenizer).fit(policies)
    assert matcher.index_.vocabulary_ == {}
    assert "relevance scores are all 0" in caplog.text
    report = matcher.match({"name": "甲", "region": "测试县"})
    assert all(m.score == 0 for m in report.matches)
    assert matcher.search("研发") == [] or all(h.score == 0 for h in matcher.search("研发"))
    index = ClauseIndex(tokenizer=tokenizer).fit(["a", "b"], ["，", "。"], allow_empty=True)
    assert index.score("研发").tolist() == [0.0, 0.0] and index.score("x").dtype == np.float64
    with pytest.raises(ValueError, match="no clause text has a term"):
        ClauseIndex(tokenizer=tokenizer).fit(["a"], ["，"])
