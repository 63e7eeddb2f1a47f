"""Shared fixtures: the tiny test policy (tests/data/mini.yaml) and a few enterprise profiles.

Fixtures are grouped by area; add new ones under a heading of their own. Policy-side models are
frozen, so session-scoped policy sets are safe to share between tests.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import settings

from policymatch import EnterpriseProfile, Policy, PolicySet, load_policies

# Deadlines flake on a busy 2-core CI machine (cn2an's first import alone takes ~0.2 s), and
# failing examples are printed in full, so no example database is written into the work tree.
# CI runs the same examples every time (derandomize); a developer's runs explore new ones.
settings.register_profile("policymatch", deadline=None, database=None, print_blob=True,
                          derandomize=bool(os.environ.get("CI")))
settings.load_profile("policymatch")

DATA_DIR = Path(__file__).parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[1]


# -- the test policy ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data, found from this file (never from the working directory)."""
    return DATA_DIR


@pytest.fixture(scope="session")
def mini_path() -> Path:
    """Path of the tiny policy with every benefit kind, OR/NOT conditions and stored cases."""
    return DATA_DIR / "mini.yaml"


@pytest.fixture(scope="session")
def mini_set(mini_path: Path) -> PolicySet:
    """mini.yaml loaded and validated once per session."""
    return load_policies(mini_path)


@pytest.fixture(scope="session")
def mini_policy(mini_set: PolicySet) -> Policy:
    """The one policy of mini.yaml."""
    return mini_set.policies[0]


@pytest.fixture
def mini_raw(mini_path: Path) -> dict[str, Any]:
    """A fresh, mutable copy of mini.yaml's data, for tests that break it on purpose."""
    data = yaml.safe_load(mini_path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a mapping as YAML (or ``str``/``bytes`` as they are) to ``tmp_path/name``."""

    def write(content: dict[str, Any] | list[Any] | str | bytes, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
        return path

    return write


# -- enterprise profiles -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def blank_profile() -> EnterpriseProfile:
    """Nothing known but the name: every condition on a fact is unknown."""
    return EnterpriseProfile(name="空白企业")


@pytest.fixture(scope="session")
def local_profile() -> EnterpriseProfile:
    """Meets mini.yaml's document-wide conditions (测试县, not on a blacklist) and nothing more."""
    return EnterpriseProfile(name="测试县某企业", region="测试县", credit_clean=True)


@pytest.fixture(scope="session")
def maker_profile() -> EnterpriseProfile:
    """A manufacturer in 测试县 with every fact mini.yaml asks about known."""
    return EnterpriseProfile(
        name="测试县精密机械有限公司",
        credit_code="91330683MA2JK3L5XH",
        region="测试县",
        industry_code="C3841",
        established="2023-06-01",
        employees=320,
        revenue="2.3亿",
        tax_paid="900万",
        rd_expense="1200万",
        equipment_investment="2300万",
        loan_amount="3000万",
        office_area_sqm=500,
        qualifications=["国高新"],
        new_qualifications=[],
        is_above_scale=True,
        credit_clean=True,
        talents={"phd": 2},
    )


# -- text and index ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One policymatch.text.Tokenizer per session (jieba loads once, ~1 s), cache in a tmp dir."""
    from policymatch.text import Tokenizer

    return Tokenizer(cache_dir=tmp_path_factory.mktemp("jieba-cache"))


# -- the Web API (policymatch serve) -------------------------------------------------------------
@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One real `policymatch serve` on loopback for the whole test run (bundled corpus, index cache in
    a tmp dir), started in a subprocess and ready once GET /health answers; its base URL."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    httpx = pytest.importorskip("httpx")
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "POLICYMATCH_CACHE_DIR": str(tmp_path_factory.mktemp("serve-cache"))}
    env.pop("POLICYMATCH_NO_CACHE", None)
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "policymatch", "serve", "--port", str(port)],
                                cwd=tmp_path_factory.mktemp("serve-cwd"), env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"policymatch serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"policymatch serve not ready after 180 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
            proc.kill()
            proc.wait()


# -- benchmark scripts ---------------------------------------------------------------------------
def _script(path: Path, name: str) -> Iterator[ModuleType]:
    """A script imported as a module under ``name`` (dataclasses look their module up in
    sys.modules while a class is built), removed again afterwards."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


@pytest.fixture(scope="session")
def extraction_bench() -> Iterator[ModuleType]:
    """benchmarks/extraction/evaluate.py, imported once for the session."""
    yield from _script(REPO_ROOT / "benchmarks" / "extraction" / "evaluate.py",
                       "_extraction_benchmark_evaluate")


@pytest.fixture(scope="session")
def quality_bench() -> Iterator[ModuleType]:
    """benchmarks/quality/evaluate.py, imported once for the session."""
    yield from _script(REPO_ROOT / "benchmarks" / "quality" / "evaluate.py",
                       "_quality_benchmark_evaluate")
