"""The wheel carries the bundled corpus and package data, and works from an unrelated directory.

Builds a wheel from a copy of the source (never in the work tree), installs it into a fresh venv
and loads the bundled corpus there through ``importlib.resources``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ITEMS = ("pyproject.toml", "README.md", "LICENSE", "policymatch", "policies")


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _can_build_offline() -> bool:
    """setuptools builds wheels itself from 70.1 on; before that it needs the wheel package."""
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    if (major, minor) >= (70, 1):
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built offline from a clean copy of the source."""
    if not _can_build_offline():
        pytest.fail("building a wheel offline needs setuptools>=70.1 (or the wheel package), "
                    "which the dev extra installs: pip install -e '.[dev]'")
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for item in SOURCE_ITEMS:
        path = ROOT / item
        if path.is_dir():
            shutil.copytree(path, src / item, ignore=ignore)
        elif path.is_file():
            shutil.copy2(path, src / item)
    out = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
          "--no-index", "--wheel-dir", str(out)], cwd=base)
    (built,) = out.glob("policymatch-*.whl")
    return built


def test_wheel_contains_code_data_corpus_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "policymatch/__init__.py" in names
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "policymatch").rglob("*.py"))
    assert [m for m in modules if m not in names] == []  # every sub-package is packaged
    assert "policymatch/py.typed" in names
    assert "policymatch/data/aliases.yaml" in names
    assert "policymatch/server/page.html" in names  # the staff page of `policymatch serve`
    compiled = sorted(p.relative_to(ROOT).as_posix()
                      for p in (ROOT / "policymatch" / "data" / "compiled").rglob("*") if p.is_file())
    assert compiled and [c for c in compiled if c not in names] == []  # the corpus compiled ahead
    corpus = sorted(p.name for p in (ROOT / "policies").glob("*.yaml"))
    assert corpus, "policies/ holds no *.yaml: the bundled corpus is missing"
    assert sorted(n.removeprefix("policymatch/policies/") for n in names
                  if n.startswith("policymatch/policies/") and n.endswith(".yaml")) == corpus
    assert not any(n.startswith(("tests/", "policies/")) for n in names)


def test_installed_wheel_loads_the_bundled_corpus_from_anywhere(wheel: Path,
                                                                tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=tmp_path)
    python = _bin(venv, "python")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall",
          "--quiet", str(wheel)], cwd=tmp_path)
    # The dependencies (pydantic, PyYAML, …) come from the interpreter running the tests, which
    # may itself be a venv; its site-packages go after the venv's own, so the wheel wins.
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip())
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_outer_site.pth").write_text("\n".join(sorted(outer)) + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    probe = (
        "import json, policymatch\n"
        "from policymatch import EnterpriseProfile, load_policies\n"
        "ps = load_policies()\n"
        "p = EnterpriseProfile(name='甲', qualifications=['国高新'])\n"
        "from policymatch.corpus import bundled_files\n"
        "from policymatch.corpus.compiled import compiled_policy_set\n"
        "files = [(f'policies/{f.name}', f.read_bytes()) for f in bundled_files()]\n"
        "print(json.dumps({'file': policymatch.__file__, 'policies': len(ps.policies),\n"
        "                  'clauses': len(ps), 'alias': p.qualifications[0],\n"
        "                  'compiled': compiled_policy_set(files) is not None}))\n"
    )
    got = json.loads(_run([str(python), "-c", probe], cwd=elsewhere, env=env))
    assert Path(got["file"]).resolve().is_relative_to(venv.resolve()), got["file"]
    assert got["policies"] == len(list((ROOT / "policies").glob("*.yaml")))
    assert got["clauses"] > 0
    assert got["alias"] == "国家高新技术企业"
    assert got["compiled"], "the installed wheel does not use its compiled corpus"

    out = _run([str(_bin(venv, "policymatch")), "validate"], cwd=elsewhere, env=env)
    assert out.startswith(f"OK: {got['policies']} policies, {got['clauses']} clauses")
