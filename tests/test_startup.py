"""What a short command skips at start-up and at exit, with the same output as before."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from policymatch.cli import main
from policymatch.packaged import packaged_yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "auto_parts_maker.json"
PACKAGED = sorted(f.name for f in resources.files("policymatch.data").iterdir()
                  if f.name.endswith(".yaml"))


def test_there_are_packaged_tables() -> None:
    assert {"aliases.yaml", "sectors.yaml", "synonyms.yaml"} <= set(PACKAGED)


@pytest.mark.parametrize("name", PACKAGED)
def test_packaged_tables_read_as_the_pure_python_safe_loader_reads_them(name: str) -> None:
    raw = resources.files("policymatch.data").joinpath(name).read_text("utf-8")
    reference = yaml.safe_load(raw)
    got = packaged_yaml(name)
    assert got == reference and repr(got) == repr(reference)  # same types and order, too


def test_the_packaged_tables_come_from_their_json_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    import policymatch.packaged as packaged

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} was parsed as YAML")

    with monkeypatch.context() as mp:
        mp.setattr(packaged, "_parsed", refuse)
        copies = {name: packaged_yaml(name) for name in ("aliases.yaml", "sectors.yaml",
                                                         "synonyms.yaml")}
    for name, data in copies.items():
        monkeypatch.setattr(packaged, "_TABLES", "compiled/index/meta.json")  # no copy there
        parsed = packaged_yaml(name)
        assert data == parsed and repr(data) == repr(parsed)


def _in_process(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


@pytest.mark.parametrize("argv", [
    ["match", str(EXAMPLE), "--as-of", "2025-06-30", "--format", "json"],
    ["match", str(EXAMPLE), "--as-of", "2025-06-30", "--all"],
    ["-v", "search", "研发费用补助", "--format", "json"],
])
def test_the_quick_exit_writes_everything_main_writes(argv: list[str]) -> None:
    code, expected = _in_process(argv)
    run = subprocess.run([sys.executable, "-m", "policymatch", *argv], capture_output=True,
                         text=True, encoding="utf-8", cwd=REPO.parent, check=False)
    assert (run.returncode, run.stdout) == (code, expected)
    assert len(expected) > 1000


def test_the_quick_exit_keeps_the_exit_code_and_the_error_line(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "policymatch", "match", str(tmp_path / "none.json")],
                         capture_output=True, text=True, encoding="utf-8", check=False)
    assert run.returncode == 1 and run.stderr.startswith("error: ") and run.stdout == ""
    usage = subprocess.run([sys.executable, "-m", "policymatch", "match", "--top", "x"],
                           capture_output=True, text=True, encoding="utf-8", check=False)
    assert usage.returncode == 2 and "usage:" in usage.stderr


def test_output_into_a_closed_pipe_still_ends_cleanly() -> None:
    cmd = (f"{sys.executable} -m policymatch match {EXAMPLE} --as-of 2025-06-30 --all "
           "| head -c 10 >/dev/null; echo ${PIPESTATUS[0]}")
    run = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=False)
    assert run.stdout.strip() in ("0", "120") and "Traceback" not in run.stderr


def test_importing_the_package_builds_no_validator() -> None:
    """Every model is built on first use, so a command can still decide what building loads
    (pydantic plugins, see below) and ``import policymatch`` pays for none of it."""
    probe = ("import sys, pydantic, policymatch, policymatch.cli, policymatch.matcher\n"
             "built = sorted(f'{c.__module__}.{c.__name__}' for m in list(sys.modules.values())\n"
             "    if getattr(m, '__name__', '').startswith('policymatch') for c in vars(m).values()\n"
             "    if isinstance(c, type) and issubclass(c, pydantic.BaseModel)\n"
             "    and c.__module__.startswith('policymatch') and c.__pydantic_complete__)\n"
             "print(built)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         encoding="utf-8", check=False)
    assert (run.returncode, run.stdout.strip(), run.stderr) == (0, "[]", "")


@pytest.mark.parametrize(("argv", "preset", "expected"), [
    (["match", "x.json"], None, "__all__"),
    (["-v", "search", "研发"], None, "__all__"),
    (["match", "x.json"], "", ""),  # the caller's choice (here: every plugin) is kept
    (["batch", "in.csv", "-o", "out.csv"], None, None),  # long commands load them as usual
    (["serve"], None, None),
])
def test_a_quick_command_loads_no_pydantic_plugin(argv: list[str], preset: str | None,
                                                  expected: str | None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import policymatch.__main__ as entry

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "-")  # restored after the test, set or not
    if preset is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS")
    else:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", preset)
    monkeypatch.setattr(sys, "argv", ["policymatch", *argv])
    seen: list[str | None] = []
    monkeypatch.setattr(entry, "main", lambda: seen.append(os.environ.get(
        "PYDANTIC_DISABLE_PLUGINS")) or 0)
    monkeypatch.setattr(entry.os, "_exit", lambda code: None)
    with contextlib.suppress(SystemExit):
        entry.console()
    assert seen == [expected]
