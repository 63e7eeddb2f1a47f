"""The bundled corpus compiled ahead (``policymatch/data/compiled``) is what a fresh parse and fit
give, is what a fresh install uses, and is ignored — never obeyed — once its sources change."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

import policymatch.corpus.compiled as compiled
import policymatch.corpus.policies as policies
import policymatch.matcher as matcher_module
from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.corpus import bundled_files
from policymatch.index import ClauseIndex

ROOT = Path(__file__).resolve().parents[1]
STALE = "run `python tools/gen_compiled.py` and commit policymatch/data/compiled/"


def _bundled() -> list[tuple[str, bytes]]:
    return [(f"policies/{f.name}", f.read_bytes()) for f in bundled_files()]


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_compiled", ROOT / "tools" / "gen_compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build made now from the YAML and a fresh fit, as the tool makes it."""
    return _tool().build(tmp_path_factory.mktemp("compiled"))


def test_the_committed_build_is_current(fresh: Path) -> None:
    committed = compiled.compiled_dir()
    assert (committed / "source.txt").read_text() == (fresh / "source.txt").read_text(), STALE
    assert (committed / "policies.json").read_bytes() == (fresh / "policies.json").read_bytes(), STALE
    a = ClauseIndex.load(committed / "index")
    b = ClauseIndex.load(fresh / "index")
    assert a.ids_ == b.ids_ and a.vocabulary_ == b.vocabulary_ and a.damped == b.damped, STALE
    assert np.array_equal(a.idf_, b.idf_), STALE
    assert (a.matrix_ != b.matrix_).nnz == 0, STALE
    assert a.lexicon_.to_dict() == b.lexicon_.to_dict(), STALE
    assert (committed / "tables.json").read_bytes() == (fresh / "tables.json").read_bytes(), STALE


def test_the_compiled_set_equals_the_parsed_yaml() -> None:
    files = _bundled()
    got = compiled.compiled_policy_set(files)
    assert got is not None, STALE
    assert got == policies._parse_sources(files)
    assert load_policies() == got


def test_a_fresh_install_neither_parses_nor_fits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the compiled corpus was not used")

    monkeypatch.setattr(policies, "_parse_sources", refuse)
    monkeypatch.setattr(matcher_module, "fit_index", refuse)
    policy_set = load_policies(cache_dir=tmp_path)
    fast = Matcher(index_cache=tmp_path).fit(policy_set)
    monkeypatch.undo()
    monkeypatch.setattr(compiled, "compiled_index", lambda *a: None)
    slow = Matcher().fit(policies._parse_sources(_bundled()))
    firm = EnterpriseProfile(name="甲", region="嵊州市", industry="汽车零部件", revenue=5e7,
                             description="汽车零部件制造，技术改造，研发")
    assert fast.match(firm, as_of="2025-06-30") == slow.match(firm, as_of="2025-06-30")


def test_a_changed_source_is_read_and_fitted_again(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    stale = tmp_path / "compiled"
    shutil.copytree(compiled.compiled_dir(), stale)
    text = (stale / "source.txt").read_text()
    (stale / "source.txt").write_text(text.replace(text.split()[1], "0" * 64).replace(
        text.split()[3], "1" * 64))
    monkeypatch.setattr(compiled, "compiled_dir", lambda: stale)
    calls: list[str] = []
    parse, fit = policies._parse_sources, matcher_module.fit_index
    monkeypatch.setattr(policies, "_parse_sources", lambda s: calls.append("parse") or parse(s))
    monkeypatch.setattr(matcher_module, "fit_index",
                        lambda *a, **k: calls.append("fit") or fit(*a, **k))
    Matcher().fit(load_policies())
    assert calls == ["parse", "fit"]


def test_a_damaged_build_is_not_obeyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    damaged = tmp_path / "compiled"
    shutil.copytree(compiled.compiled_dir(), damaged)
    (damaged / "policies.json").write_text('{"policies": [{"id": "x"}]}')
    (damaged / "index" / "idf.npy").write_bytes(b"not an array")
    monkeypatch.setattr(compiled, "compiled_dir", lambda: damaged)
    assert compiled.compiled_policy_set(_bundled()) is None
    assert "cannot be used" in caplog.text
    policy_set = load_policies()
    assert policy_set == policies._parse_sources(_bundled())
    assert compiled.compiled_index(policy_set.fingerprint(), Matcher().fit(policy_set).tokenizer_) is None


def test_another_corpus_never_gets_the_bundled_index() -> None:
    policy_set = load_policies()
    first = type(policy_set)(policies=policy_set.policies[:1])
    from policymatch.text import Tokenizer

    assert compiled.compiled_index(policy_set.fingerprint(), Tokenizer()) is not None, STALE
    assert compiled.compiled_index(first.fingerprint(), Tokenizer()) is None


def _same(a: object, b: object, path: str = "$") -> None:
    """``a`` and ``b`` hold equal values of the same types all the way down (``==`` alone takes
    1 for 1.0 and True, and a tuple for nothing like a list)."""
    from pydantic import BaseModel

    assert type(a) is type(b), (path, a, b)
    if isinstance(a, BaseModel):
        assert isinstance(b, BaseModel)
        assert list(a.__dict__) == list(b.__dict__), path
        assert a.model_fields_set == b.model_fields_set, path
        assert (a.__pydantic_extra__, a.__pydantic_private__) == \
            (b.__pydantic_extra__, b.__pydantic_private__), path
        for k, v in a.__dict__.items():
            _same(v, b.__dict__[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for k, v in a.items():
            _same(v, b[k], f"{path}[{k!r}]")
    else:
        assert a == b and repr(a) == repr(b), (path, a, b)


def test_the_packaged_build_is_rebuilt_without_validation_into_the_validated_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from policymatch.models import PolicySet

    raw = (compiled.compiled_dir() / "policies.json").read_bytes()
    validated = PolicySet.model_validate_json(raw)
    calls: list[bytes] = []
    real = PolicySet.model_validate_json
    monkeypatch.setattr(PolicySet, "model_validate_json",
                        lambda data, **kw: calls.append(data) or real(data, **kw))
    fast = compiled.compiled_policy_set(_bundled())
    assert fast is not None, STALE
    assert calls == []  # the digests matched: no validation ran
    _same(fast, validated)
    assert fast == validated == policies._parse_sources(_bundled())
    assert fast.model_dump_json().encode() == raw
    assert fast.fingerprint() == validated.fingerprint()  # the recorded one is the real one


@pytest.mark.parametrize("change", ["bytes", "digest", "no digest"])
def test_a_build_whose_bytes_are_not_the_recorded_ones_is_validated(
        change: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from policymatch.models import PolicySet

    build = tmp_path / "compiled"
    shutil.copytree(compiled.compiled_dir(), build)
    source = (build / "source.txt").read_text()
    raw = (build / "policies.json").read_text("utf-8")
    if change == "bytes":  # still valid JSON of a valid set, but not what was built: a 10x amount
        first = raw.index('"amount":') + len('"amount":')
        raw = raw[:first] + "1" + raw[first:]
        (build / "policies.json").write_text(raw, "utf-8")
    elif change == "digest":
        line = next(x for x in source.splitlines() if x.startswith("policies.json "))
        (build / "source.txt").write_text(source.replace(line, "policies.json " + "0" * 64))
    else:  # a build from before the digest was recorded
        (build / "source.txt").write_text(
            "".join(x + "\n" for x in source.splitlines() if x.startswith(("policies ", "data "))))
    monkeypatch.setattr(compiled, "compiled_dir", lambda: build)
    calls: list[bytes] = []
    real = PolicySet.model_validate_json
    monkeypatch.setattr(PolicySet, "model_validate_json",
                        lambda data, **kw: calls.append(data) or real(data, **kw))
    got = compiled.compiled_policy_set(_bundled())
    assert len(calls) == 1 and got is not None
    _same(got, real(raw.encode("utf-8")))
    monkeypatch.undo()
    assert (got != policies._parse_sources(_bundled())) == (change == "bytes")
    assert got.fingerprint() == PolicySet.model_validate(got.model_dump()).fingerprint()


def test_a_tampered_build_that_no_longer_validates_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    build = tmp_path / "compiled"
    shutil.copytree(compiled.compiled_dir(), build)
    raw = (build / "policies.json").read_text("utf-8")
    (build / "policies.json").write_text(raw.replace('"op":">="', '"op":"=>"', 1), "utf-8")
    monkeypatch.setattr(compiled, "compiled_dir", lambda: build)
    assert compiled.compiled_policy_set(_bundled()) is None
    assert load_policies() == policies._parse_sources(_bundled())


def test_the_prevalidated_form_refuses_a_shape_the_models_do_not_have() -> None:
    import json

    from policymatch.models.prevalidated import prevalidated_policy_set

    data = json.loads((compiled.compiled_dir() / "policies.json").read_bytes())
    clause = data["policies"][0]["clauses"][0]
    for broken in ({**clause, "extra_key": 1}, {k: v for k, v in clause.items() if k != "title"},
                   {**clause, "benefit": {**clause["benefit"], "kind": "gift"}},
                   {**clause, "tags": "a string, not a list"}):
        data["policies"][0]["clauses"][0] = broken
        with pytest.raises(ValueError):
            prevalidated_policy_set(data)
