"""Hostile conditions at run time (issue 6, items 4-6): threads sharing one Matcher, runs in
processes with other hash seeds, interrupted writes.

Already covered elsewhere: 8 threads on a warm Matcher equal serial calls
(test_matcher ``test_threads_share_one_matcher``); jieba built once under contention with a fake
slow build (test_text ``test_first_use_under_contention_builds_once``); ``write_policy`` keeping the
old file when the rename fails (test_corpus); a failed ``ClauseIndex.save`` keeping the previous
index (test_index); the ``batch`` command's counts adding up and leaving no temp files
(test_batch).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import policymatch
from policymatch import Matcher, PolicySet, load_policies
from policymatch.corpus import bundled_files, write_policy
from policymatch.index import ClauseIndex
from policymatch.text import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
DAY = date(2026, 6, 30)
Writer = Callable[..., Path]

PROFILES = [
    {"name": "甲", "region": "嵊州市", "credit_clean": True, "revenue": "五百万",
     "description": "数控机床研发制造", "qualifications": ["国高新"]},
    {"name": "乙", "region": "嵊州", "revenue": "１．２億", "description": "新能源汽車零部件",
     "qualifications": ["國家高新技術企業", "專精特新"], "employees": "３２０"},
    {"name": "丙", "region": "嵊州市", "description": "茶叶种植加工 电商直播", "talents": {"phd": 2}},
    {"name": "丁", "region": "嵊州市", "credit_clean": True, "tax_paid": "1,200万",
     "equipment_investment": "2300万", "is_above_scale": True, "description": "领带 出口"},
    {"name": "戊", "region": "新昌县", "description": "集成灶 厨具电器"},
    {"name": "己", "region": "嵊州市", "established": "2024-03-01", "office_area_sqm": 300,
     "description": "卫星 研发"},
    {"name": "庚", "region": "嵊州市", "new_qualifications": ["专精特新小巨人"], "revenue": 3e8,
     "description": "多肽 创新药"},
    {"name": "辛", "region": "嵊州市", "extra": {"亩均评价": "A"}, "description": "建筑施工"},
]


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """A private environment: this source tree, caches under ``tmp``, no inherited hash seed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    return {**env, "PYTHONPATH": str(Path(policymatch.__file__).parents[1]),
            "POLICYMATCH_CACHE_DIR": str(tmp / "cache"), "XDG_CACHE_HOME": str(tmp / "xdg"),
            **extra}


# =============================================================================================
# 4. Concurrency
# =============================================================================================
def _wrap_counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_fresh_matcher_shared_by_8_threads_builds_its_lexicon_once_and_agrees(
        tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Fitting leaves the query lexicon to first use; 8 first matches at once used to build it
    # 8 times over (about a second each), now the other 7 wait for the first.
    lexicons = _wrap_counting(monkeypatch, Tokenizer, "restricted")
    # A fitted index, not the compiled one (which brings its lexicon built).
    monkeypatch.setattr("policymatch.matcher.compiled_index", lambda *args: None)
    matcher = Matcher(tokenizer=tokenizer).fit(load_policies())
    barrier = threading.Barrier(8)

    def work(i: int) -> str:
        barrier.wait()
        return matcher.match(PROFILES[i], as_of=DAY, include_ineligible=i % 2 == 0).to_json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(work, range(8)))
    assert len(lexicons) == 1
    serial = [matcher.match(p, as_of=DAY, include_ineligible=i % 2 == 0).to_json()
              for i, p in enumerate(PROFILES)]
    assert parallel == serial
    assert len(set(serial)) == 8  # different profiles, different answers


def test_a_cold_tokenizer_under_contention_loads_jieba_once(tokenizer: Tokenizer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    builds = _wrap_counting(monkeypatch, Tokenizer, "_new_jieba")  # the real build, counted
    cold = Tokenizer(cache_dir=tokenizer.cache_dir)
    texts = [p["description"] for p in PROFILES]
    barrier = threading.Barrier(8)

    def work(i: int) -> list[str]:
        barrier.wait()
        return cold.tokenize(texts[i])

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(work, range(8)))
    assert len(builds) == 1
    assert got == [tokenizer.tokenize(t) for t in texts]


_COLD_PROCESS = """
import json, sys, threading
from datetime import date
from concurrent.futures import ThreadPoolExecutor
from policymatch import Matcher, load_policies
from policymatch.text import Tokenizer

profiles = json.loads(sys.argv[1])
matcher = Matcher(index_cache=sys.argv[2]).fit(load_policies())  # the index comes from the cache
barrier = threading.Barrier(len(profiles))

def work(i):
    barrier.wait()  # every lazy first use (aliases, OpenCC, cn2an) happens under contention
    return matcher.match(profiles[i], as_of=date(2026, 6, 30)).to_json()

with ThreadPoolExecutor(max_workers=len(profiles)) as pool:
    parallel = list(pool.map(work, range(len(profiles))))
serial = [matcher.match(p, as_of=date(2026, 6, 30)).to_json() for p in profiles]
print(json.dumps({"same": parallel == serial, "distinct": len(set(serial)),
                  "jieba": "jieba" in sys.modules}))
"""


@pytest.mark.slow
def test_8_threads_in_a_cold_process_agree_with_serial_calls(tokenizer: Tokenizer,
                                                             tmp_path: Path) -> None:
    cache = tmp_path / "index-cache"
    Matcher(tokenizer=tokenizer, index_cache=cache).fit(load_policies())
    done = subprocess.run([sys.executable, "-c", _COLD_PROCESS, json.dumps(PROFILES), str(cache)],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"same": True, "distinct": 8, "jieba": False}


# =============================================================================================
# 5. Determinism
# =============================================================================================
def _run_cli(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "policymatch", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_json_output_is_byte_identical_across_processes_and_hash_seeds(tokenizer: Tokenizer,
                                                                       tmp_path: Path) -> None:
    # The bundled corpus plus one more file: a corpus with no compiled index, so it is fitted.
    corpus = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", corpus)
    shutil.copy2(ROOT / "tests" / "data" / "mini.yaml", corpus / "zz_mini.yaml")
    match = ["match", "examples/auto_parts_maker.json", "--format", "json", "--as-of", "2026-06-30",
             "--policies", str(corpus)]
    search = ["search", "招了几个博士有没有补贴", "--format", "json", "--policies", str(corpus)]
    # jieba's own dictionary cache is shared (it only saves time); policymatch's caches are not
    shutil.copytree(Path(str(tokenizer.cache_dir)), tmp_path / "xdg" / "policymatch")

    def run(seed: str, folder: str, *commands: list[str]) -> list[subprocess.Popen[bytes]]:
        env = _env(tmp_path / folder, PYTHONHASHSEED=seed, XDG_CACHE_HOME=str(tmp_path / "xdg"))
        return [_run_cli(command, env) for command in commands]

    def outputs(procs: list[subprocess.Popen[bytes]]) -> list[bytes]:
        outs = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err.decode()[-2000:]
            outs.append(out)
        return outs

    # seeds 0 and 1 from cold (fit the index), side by side
    cold = outputs(run("0", "seed-0", match) + run("1", "seed-1", match))
    # seed 12345 reads seed 0's caches; seed 0 reads its own again
    shutil.copytree(tmp_path / "seed-0" / "cache", tmp_path / "seed-12345" / "cache")
    m12345, s12345, m0, s0, s1 = outputs(run("12345", "seed-12345", match, search)
                                         + run("0", "seed-0", match, search)
                                         + run("1", "seed-1", search))
    matches, searches = [*cold, m12345, m0], [s12345, s0, s1]
    assert matches[0].strip() and searches[0].strip()
    assert all(out == matches[0] for out in matches)
    assert all(out == searches[0] for out in searches)
    assert any((tmp_path / "seed-0" / "cache" / "policymatch").iterdir())  # the warm run had one


@pytest.mark.slow
def test_a_set_of_qualifications_gives_one_order_whatever_the_hash_seed(tmp_path: Path) -> None:
    # A set has no order of its own; its iteration order moves with PYTHONHASHSEED and used to
    # leak into the profile (and everything written from it).
    code = ("from policymatch import EnterpriseProfile\n"
            "p = EnterpriseProfile(name='甲', qualifications={'国高新', '专精特新', '小巨人', '科小', "
            "'雄鹰企业', '某县自定义荣誉'}, new_qualifications=frozenset({'雏鹰企业', '首台套产品'}))\n"
            "print(p.model_dump_json())\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env=_env(tmp_path, PYTHONHASHSEED=seed), timeout=120).stdout
            for seed in ("0", "1", "12345")}
    assert len(outs) == 1


@pytest.fixture(scope="module")
def bundled_copies(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The bundled policy files as plain files, to be given in any order."""
    folder = tmp_path_factory.mktemp("bundled")
    out = []
    for f in bundled_files():
        path = folder / f.name
        path.write_bytes(f.read_bytes())
        out.append(path)
    return out


@pytest.mark.slow
def test_file_order_changes_no_verdict_amount_score_or_order(tokenizer: Tokenizer,
                                                             bundled_copies: list[Path]) -> None:
    # The order of the files given is part of the input: it is the order of PolicySet.items()
    # and of MatchReport.inactive (documented as file order). Everything ranked is ordered by
    # status, relevance, amount and then clause id, so it does not depend on file order.
    orders = [bundled_copies, bundled_copies[::-1],
              random.Random(6).sample(bundled_copies, len(bundled_copies))]
    reports = []
    for files in orders:
        matcher = Matcher(tokenizer=tokenizer).fit(load_policies(files))
        reports.append([matcher.match(p, as_of=DAY, include_ineligible=True) for p in PROFILES[:4]])
    for other in reports[1:]:
        for a, b in zip((json.loads(r.to_json()) for r in reports[0]),
                        (json.loads(r.to_json()) for r in other), strict=True):
            assert sorted(a.pop("inactive")) == sorted(b.pop("inactive"))
            # scikit-learn sums a clause's squared weights in the order its terms were first
            # seen in the corpus, so a score may move in its last bit; ordering rounds scores to
            # 1e-9 first, so no order changes. Equal inputs (same files, same order) give
            # byte-identical output: see the test above.
            for ma, mb in zip(a["matches"], b["matches"], strict=True):
                assert abs(ma.pop("score") - mb.pop("score")) < 1e-12
            assert a == b


TIES = {"id": "ties", "title": "测试县并列条款", "clauses": [
    {"id": cid, "title": "研发费用补助", "text": "对企业研发费用给予补助", "exclusive_group": "g",
     "benefit": {"kind": "fixed", "amount": "10万"}} for cid in ("t-c", "t-a", "t-b")]}


def test_ties_are_broken_by_clause_id_in_any_file_order(tokenizer: Tokenizer,
                                                        write_yaml: Writer) -> None:
    other = {**TIES, "id": "ties-2", "clauses": [{**c, "id": c["id"].replace("t-", "u-")}
                                                 for c in TIES["clauses"]]}
    a, b = write_yaml(TIES, "a.yaml"), write_yaml(other, "b.yaml")
    results = []
    for files in ([a, b], [b, a]):
        matcher = Matcher(tokenizer=tokenizer).fit(load_policies(files))
        hits = matcher.search("研发费用补助", top_k=6)
        report = matcher.match({"name": "甲", "description": "研发费用"}, as_of=DAY)
        results.append(([(h.clause_id, h.score) for h in hits],
                        [(m.clause_id, m.counted, m.set_aside_for) for m in report.matches]))
    assert results[0] == results[1]
    hits, matches = results[0]
    assert [cid for cid, _ in hits] == ["t-a", "t-b", "t-c", "u-a", "u-b", "u-c"]
    assert len({score for _, score in hits}) == 1  # a genuine six-way tie
    # 就高不重复 among equals: the smallest clause id counts, the others name it
    assert matches == [("t-a", True, None), ("t-b", False, "t-a"), ("t-c", False, "t-a"),
                       ("u-a", False, "t-a"), ("u-b", False, "t-a"), ("u-c", False, "t-a")]


# =============================================================================================
# 6. Nothing lost
# =============================================================================================
@pytest.fixture(scope="module")
def mini_matcher(tokenizer: Tokenizer) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


def _table_rows() -> tuple[list[dict[str, Any]], set[int], set[int], set[int]]:
    """Rows that match, rows that match nothing, rows that are refused (1-based numbers)."""
    good = {"region": "测试县", "credit_clean": True, "revenue": "2亿", "talents.phd": 1}
    elsewhere = {"region": "别的县", "credit_clean": True, "revenue": "2亿"}
    bad = [{"region": "测试县", "revenue": 1e30}, {"region": "测试县", "employees": -1},
           {"region": "测试县", "established": "2023-02-30"}, {"region": "测试县", "name": ""},
           {"region": "测试县", "revenue": float("inf")}, {"region": "测试县", "talents.phd": "两个"}]
    rows: list[dict[str, Any]] = []
    kinds: dict[str, set[int]] = {"good": set(), "none": set(), "bad": set()}
    pick = random.Random(3)
    for n in range(1, 61):
        kind = pick.choice(["good", "good", "none", "bad"])
        cells = {"good": good, "none": elsewhere, "bad": pick.choice(bad)}[kind]
        rows.append({"name": f"企业{n}", **cells})
        kinds[kind].add(n)
    return rows, kinds["good"], kinds["none"], kinds["bad"]


def test_every_batch_row_is_matched_no_match_or_rejected_exactly_once(mini_matcher: Matcher,
                                                                      tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    batch = pytest.importorskip("policymatch.batch")
    rows, good, none, bad = _table_rows()
    out = tmp_path / "pairs.csv"
    summary = batch.run_batch(batch.iter_match_many(mini_matcher, pd.DataFrame(rows),
                                                    as_of=date(2025, 6, 1), chunk_size=7), out)
    assert (summary.read, summary.matched, summary.no_match, summary.rejected) == \
           (60, len(good), len(none), len(bad))
    table = pd.read_csv(out, dtype={"enterprise_id": str}, keep_default_na=False)
    rejects = pd.read_csv(batch.rejects_path(out))
    matched = {int(e) for e in table["enterprise_id"]}
    refused = set(rejects["row"].tolist())
    assert matched == good and refused == bad
    assert matched.isdisjoint(refused)
    assert set(range(1, 61)) - matched - refused == none  # the rest matched nothing at all
    assert all(str(reason).strip() for reason in rejects["reason"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv", "pairs.rejects.csv"]


class _Interrupted(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("how", ["ctrl-c between chunks", "disk full mid-write"])
def test_an_interrupted_batch_leaves_no_file_that_looks_complete(
        mini_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    pd = pytest.importorskip("pandas")
    batch = pytest.importorskip("policymatch.batch")
    from policymatch.batch.io import TableWriter

    rows, *_ = _table_rows()
    out = tmp_path / "pairs.csv"

    def chunks() -> Iterator[Any]:
        for k, result in enumerate(batch.iter_match_many(mini_matcher, pd.DataFrame(rows),
                                                         as_of=date(2025, 6, 1), chunk_size=10)):
            if k == 2 and how.startswith("ctrl-c"):
                raise _Interrupted
            yield result

    original = TableWriter.write
    calls = []

    def full(self: Any, table: Any) -> None:  # the write goes through, then the disk is full
        calls.append(1)
        original(self, table)
        if len(calls) == 3:  # the output's second chunk: part of a table is on disk by now
            raise OSError(28, "No space left on device")

    if how.startswith("disk full"):
        monkeypatch.setattr(TableWriter, "write", full)
    error = _Interrupted if how.startswith("ctrl-c") else OSError
    with pytest.raises(error):
        batch.run_batch(chunks(), out)
    assert list(tmp_path.iterdir()) == []  # no output, no rejects, no temp litter

    # a previous complete run stays as it was
    monkeypatch.undo()
    batch.run_batch(batch.iter_match_many(mini_matcher, pd.DataFrame(rows[:5]),
                                          as_of=date(2025, 6, 1)), out)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    if how.startswith("disk full"):
        monkeypatch.setattr(TableWriter, "write", full)
        calls.clear()
    with pytest.raises(error):
        batch.run_batch(chunks(), out)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


class _HalfWriter:
    """A text file whose write stores half the text, then fails (a full disk, a killed process)."""

    def __init__(self, fh: Any, error: BaseException) -> None:
        self.fh, self.error = fh, error

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.fh.close()

    def write(self, text: str) -> int:
        self.fh.write(text[: len(text) // 2])
        self.fh.flush()
        raise self.error


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), _Interrupted()],
                         ids=["disk-full", "ctrl-c"])
def test_write_policy_interrupted_mid_write_leaves_the_old_file_or_none(
        mini_set: PolicySet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        error: BaseException) -> None:
    import policymatch.files as files

    policy = mini_set.policies[0]
    target = tmp_path / "out" / "mini.yaml"
    real_fdopen = os.fdopen
    monkeypatch.setattr(files.os, "fdopen", lambda fd, *a, **k: _HalfWriter(real_fdopen(fd, *a, **k),
                                                                              error))
    with pytest.raises(type(error)):
        write_policy(policy, target)
    assert list(target.parent.iterdir()) == []  # nothing that looks like a policy file
    monkeypatch.undo()
    write_policy(policy, target)
    original = target.read_bytes()
    monkeypatch.setattr(files.os, "fdopen", lambda fd, *a, **k: _HalfWriter(real_fdopen(fd, *a, **k),
                                                                              error))
    with pytest.raises(type(error)):
        write_policy(policy.model_copy(update={"title": "改过的标题"}), target)
    assert target.read_bytes() == original
    assert [p.name for p in target.parent.iterdir()] == ["mini.yaml"]


def test_an_index_save_interrupted_midway_leaves_no_directory(tokenizer: Tokenizer, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    index = ClauseIndex(tokenizer=tokenizer).fit(["a", "b"], ["研发费用补助", "人才公寓补贴"])
    _ = index.lexicon_  # built before the interruption is armed

    def killed(*args: Any, **kwargs: Any) -> None:
        raise _Interrupted

    monkeypatch.setattr(np, "save", killed)  # after meta.json and vocabulary.json are written
    with pytest.raises(_Interrupted):
        index.save(tmp_path / "index")
    assert list(tmp_path.iterdir()) == []


def test_a_truncated_policy_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_policies(MINI, cache_dir=cache)
    (entry,) = cache.iterdir()
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])  # as if the writer had died halfway
    assert load_policies(MINI, cache_dir=cache) == first
    assert entry.read_bytes() == whole
    shutil.rmtree(cache)
