"""Reports are byte-identical to the stored ones (written before reasons were built lazily).

On a failure, ``python tests/golden_match.py --dump DIR`` in this tree and in an earlier commit
gives the full outputs to diff.
"""

from __future__ import annotations

import json

import pytest
from golden_match import GOLDEN, cases, digest

CASES = list(cases())
STORED = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_every_case_has_a_stored_output():
    assert set(STORED) == {name for name, _ in CASES}


@pytest.mark.parametrize("name,run", CASES, ids=[name for name, _ in CASES])
def test_output_is_unchanged(name, run, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "golden"))
    assert digest(run()) == STORED[name], f"{name} differs from the stored output"
