"""The Matcher travels to Dask workers, and the Dask path gives the single-process long table."""

from __future__ import annotations

import pickle
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.batch import iter_match_many

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate

DAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies())


def test_fitted_matcher_pickles_and_matches_the_same(matcher: Matcher) -> None:
    profile = EnterpriseProfile(
        name="嵊州市示例电机有限公司", region="嵊州市", industry="电机", credit_clean=True,
        safety_incident_free=True, revenue="6500万", tax_paid="300万",
        description="中小型电机及微特电机制造；数控机床配件", qualifications=["国高新"])
    matcher.match(profile, as_of=DAY)  # the tokenizer has built its dictionaries
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.tokenizer_._jieba is None  # rebuilt lazily on the other side
    assert copy.match(profile, as_of=DAY) == matcher.match(profile, as_of=DAY)


@pytest.mark.slow
def test_two_worker_cluster_equals_single_process(matcher: Matcher, tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from policymatch.batch.distributed import match_dask

    source = generate.write(tmp_path / "firms.csv", 200, seed=3, bad_rate=0.2)  # reasons repeat
    local = list(iter_match_many(matcher, source, as_of=DAY, chunk_size=10_000))
    remote = list(match_dask(matcher, source, workers=2, as_of=DAY, blocksize=12_000))
    assert len(remote) > 2  # several partitions, numbered across

    def combined(results: list[Any]) -> tuple[Any, Any, int, int]:
        import pandas as pd

        table = pd.concat([r.table.astype(object) for r in results], ignore_index=True)
        rejects = pd.concat([r.rejects for r in results], ignore_index=True)
        return (table, rejects, sum(r.n_read for r in results),
                sum(r.n_matched for r in results))

    (t1, r1, n1, m1), (t2, r2, n2, m2) = combined(local), combined(remote)
    assert len(r1) > 0 and n1 == n2 == 200 and m1 == m2
    assert r1.to_dict("records") == r2.to_dict("records")
    assert t1.equals(t2)
