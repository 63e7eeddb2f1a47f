"""``import policymatch`` is cheap and silent: no heavy libraries, no disk, no output, no logging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import policymatch

HEAVY = ("jieba", "rjieba", "sklearn", "scipy", "pandas", "pyarrow", "dask", "cn2an", "opencc", "openpyxl",
         "sqlalchemy", "psycopg", "fastapi", "starlette", "uvicorn")

_PROBE = """
import json, logging, sys
import policymatch
from policymatch.aliases import alias_table
print(json.dumps({
    "heavy": sorted(m for m in %r if m in sys.modules),
    "root_handlers": len(logging.getLogger().handlers),
    "package_handlers": len(logging.getLogger("policymatch").handlers),
    "alias_table_read": alias_table.cache_info().currsize,
}))
"""


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Import the same policymatch the tests use, from a directory that is not the repository.
    env = {**os.environ, "PYTHONPATH": str(Path(policymatch.__file__).parents[1])}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_import_check_from_the_readme(tmp_path: Path) -> None:
    done = _python("import policymatch, sys; assert 'jieba' not in sys.modules; "
                   "assert 'sklearn' not in sys.modules; assert 'pandas' not in sys.modules",
                   tmp_path)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


def test_import_loads_nothing_heavy_reads_nothing_and_configures_no_logging(tmp_path: Path) -> None:
    done = _python(_PROBE % (HEAVY,), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout) == {"heavy": [], "root_handlers": 0, "package_handlers": 0,
                                       "alias_table_read": 0}


def test_public_api_is_small_and_importable() -> None:
    names = policymatch.__all__
    assert 10 <= len(names) <= 20
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(policymatch, name) is not None
    assert {"EnterpriseProfile", "Policy", "PolicySet", "load_policies", "load_profile",
            "PolicyFileError", "ProfileError", "__version__"} <= set(names)
    assert isinstance(policymatch.__version__, str) and policymatch.__version__


def test_errors_are_also_builtins() -> None:
    from policymatch import errors

    assert issubclass(errors.PolicyFileError, ValueError)
    assert issubclass(errors.ProfileError, ValueError)
    assert issubclass(errors.NotFittedError, ValueError)
    assert issubclass(errors.NotFittedError, AttributeError)
    assert issubclass(errors.UnknownClauseError, KeyError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.PolicymatchError)
    problem = errors.PolicyFileError("one")
    assert problem.problems == ["one"]
    assert errors.PolicyFileError("two problems", ["a", "b"]).problems == ["a", "b"]


def test_package_ships_its_type_marker() -> None:
    assert (Path(policymatch.__file__).parent / "py.typed").is_file()


def test_the_version_is_the_installed_metadata_version() -> None:
    from importlib.metadata import version

    assert policymatch.__version__ == version("policymatch")
