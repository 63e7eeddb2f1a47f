"""The web-service example in examples/service_app.py (documented in docs/service.md)."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from policymatch import Matcher, ProfileError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "service_app.py"
MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"
FIRM = {"name": "测试县精密机械有限公司", "region": "测试县", "credit_clean": True,
        "equipment_investment": "2300万", "is_above_scale": True, "new_qualifications": []}
DAY = date(2025, 6, 1)  # mini.yaml is valid in 2025 only


@pytest.fixture(scope="module")
def service() -> ModuleType:
    spec = importlib.util.spec_from_file_location("service_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def matcher(service: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    fitted: Matcher = service.create_matcher(MINI, index_cache=tmp_path_factory.mktemp("index"))
    return fitted


def test_create_matcher_fits_and_warms_up(service: ModuleType, matcher: Matcher) -> None:
    assert len(matcher.policy_set_) == 8
    assert service.warm_up(matcher) < 5.0  # already warm: a match and a search


def test_handle_returns_json_ready_data(service: ModuleType, matcher: Matcher) -> None:
    out: dict[str, Any] = service.handle(FIRM, matcher=matcher, as_of=DAY)
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    assert out["enterprise"] == FIRM["name"]
    equip = next(m for m in out["matches"] if m["clause_id"] == "mini-equip")
    assert equip["status"] == "eligible" and equip["amount"] == 2_000_000
    assert out == matcher.match(FIRM, as_of=DAY).model_dump(mode="json")


def test_handle_passes_options_through(service: ModuleType, matcher: Matcher) -> None:
    top = service.handle(FIRM, matcher=matcher, as_of=DAY, top_k=1)
    assert len(top["matches"]) == 1
    everything = service.handle(FIRM, matcher=matcher, as_of=DAY,
                                include_ineligible=True)
    assert any(m["status"] == "ineligible" for m in everything["matches"])


def test_handle_raises_profile_error_for_a_bad_profile(service: ModuleType, matcher: Matcher) -> None:
    with pytest.raises(ProfileError, match="revenue: cannot read"):
        service.handle({"name": "甲", "revenue": "很多"}, matcher=matcher)


# Starlette's test client warns that it will move from httpx to another client; not ours to fix.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_fastapi_app(service: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="the web app needs FastAPI (pip install -e '.[docs]')")
    pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")
    from fastapi.testclient import TestClient

    monkeypatch.setenv("POLICYMATCH_POLICIES", str(MINI))
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(tmp_path))
    with TestClient(service.create_app()) as client:  # runs the startup (fit + warm-up)
        health = client.get("/health").json()
        assert health["clauses"] == 8 and health["ready_seconds"] >= 0
        response = client.post("/match", json=FIRM, params={"top_k": 3, "as_of": DAY.isoformat()})
        assert response.status_code == 200
        body = response.json()
        assert body["enterprise"] == FIRM["name"] and len(body["matches"]) == 3
        bad = client.post("/match", json={"name": "甲", "revenu": 1})
        assert bad.status_code == 422 and "revenu" in bad.json()["detail"]
        hits = client.get("/search", params={"q": "博士生活补贴", "top_k": 2}).json()
        assert hits and hits[0]["clause_id"] == "mini-phd"
        for path, call in (("/match", lambda p: client.post("/match", json=FIRM, params=p)),
                           ("/search", lambda p: client.get("/search", params={"q": "博士", **p}))):
            refused = call({"top_k": -1})
            assert refused.status_code == 400, path
            assert "top_k must be a whole number >= 0" in refused.json()["detail"]
