"""The docs stay true: generated pages are current, every public name and field is documented,
examples in the pages validate, and ``mkdocs build --strict`` passes."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

import policymatch
from policymatch import Policy
from policymatch.cli import build_parser
from policymatch.fields import PROFILE_FIELDS
from policymatch.models import Clause, Condition
from policymatch.schema import PUBLISHED, json_schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load_script(name: str) -> ModuleType:
    """A generator script from docs/ (not a package), imported by path."""
    spec = importlib.util.spec_from_file_location(f"_docs_{name}", DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _yaml_blocks(page: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", page, re.S)]


def test_commands_named_in_the_docs_exist() -> None:
    commands = set(_load_script("gen_cli")._subcommands(build_parser()))
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        code = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text, re.S))
        names = re.findall(r"(?m)^\s*policymatch ([a-z]+)\b", code) + re.findall(r"`policymatch ([a-z]+)\b", text)
        for name in names:
            assert name in commands, f"{page.name} mentions `policymatch {name}`, which does not exist"


# -- generated pages ---------------------------------------------------------------------------
def test_cli_reference_is_current() -> None:
    expected = _load_script("gen_cli").render()
    assert _page("cli.md") == expected, "docs/cli.md is stale: run `python docs/gen_cli.py`"


def test_cli_reference_is_formatted_at_100_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # the caller's terminal must not matter
    assert _load_script("gen_cli").render() == _page("cli.md")
    assert os.environ["COLUMNS"] == "40"


def test_cli_reference_documents_every_subcommand() -> None:
    gen = _load_script("gen_cli")
    names = list(gen._subcommands(build_parser()))
    assert names, "build_parser has no subcommands"
    page = _page("cli.md")
    for name in names:
        assert f"## policymatch {name}\n" in page
        assert f"usage: policymatch {name}" in page


@pytest.mark.parametrize("file", list(PUBLISHED))
def test_published_schema_equals_the_model(file: str) -> None:
    which, form = PUBLISHED[file]
    published = json.loads(_page(file))
    assert published == json_schema(which, form), f"docs/{file} is stale: run `python docs/gen_schema.py`"
    gen = _load_script("gen_schema")
    assert _page(file) == gen.schema_text(json_schema(which, form))


def test_field_table_is_current() -> None:
    gen = _load_script("gen_schema")
    page = _page("conditions.md")
    assert gen.conditions_page(page) == page, "the field table in docs/conditions.md is stale: " \
                                              "run `python docs/gen_schema.py`"


@pytest.mark.parametrize("field", list(PROFILE_FIELDS))
def test_every_condition_field_is_documented(field: str) -> None:
    assert f"| `{field}` |" in _page("conditions.md")


# -- hand-written pages checked against the code ------------------------------------------------
@pytest.mark.parametrize("name", policymatch.__all__)
def test_every_public_name_is_in_the_api_page(name: str) -> None:
    page = _page("api.md")
    assert re.search(rf"(::: policymatch\.{re.escape(name)}\b|`(policymatch\.)?{re.escape(name)}`)", page), \
        f"{name} is in policymatch.__all__ but not documented in docs/api.md"


def test_condition_examples_validate() -> None:
    blocks = _yaml_blocks(_page("conditions.md"))
    assert len(blocks) >= 8
    adapter: TypeAdapter[Any] = TypeAdapter(Condition)
    for block in blocks:
        if "field" in block or "kind" in block:
            adapter.validate_python(block)


def test_policy_format_example_is_the_test_policy_and_validates() -> None:
    (example,) = [b for b in _yaml_blocks(_page("policy-format.md")) if isinstance(b, dict) and "clauses" in b]
    policy = Policy.model_validate(example)
    fixture = yaml.safe_load((ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8"))
    assert {c.id for c in policy.clauses} == {c["id"] for c in fixture["clauses"]}


@pytest.mark.parametrize(("model", "section"), [(Policy, "## Policy (top level)"), (Clause, "## Clause")])
def test_policy_format_lists_every_key(model: Any, section: str) -> None:
    page = _page("policy-format.md")
    body = page.split(section, 1)[1].split("\n## ", 1)[0]
    for key in model.model_fields:
        assert f"`{key}`" in body, f"{model.__name__}.{key} is missing from {section} in policy-format.md"


def _limit_constants() -> dict[str, Any]:
    """Every ``MAX_*`` number defined in a module of the package, by dotted name."""
    import importlib
    import pkgutil

    import policymatch

    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(policymatch.__path__, "policymatch."):
        if info.ispkg or info.name.rsplit(".", 1)[1] in ("__main__", "server"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("MAX_") and isinstance(value, (int, float)):
                found[f"{info.name}.{name}"] = value
    return found


def _shown(value: Any) -> str:
    return f"{value:.0e}".replace("+", "") if isinstance(value, float) else f"{value:,}"


def test_every_limit_constant_is_on_the_limits_page() -> None:
    page = _page("limits.md")
    rows = [line for line in page.splitlines() if line.startswith("|")]
    constants = _limit_constants()
    assert len(constants) >= 10
    for constant, value in constants.items():
        short = constant.rsplit(".", 1)[1]
        row = next((line for line in rows if f".{short}`" in line), None)
        assert row is not None, f"{constant} is missing from docs/limits.md"
        shown = f"1 – {value}" if short == "MAX_WORKERS" else _shown(value)
        assert shown in row, f"docs/limits.md shows the wrong value for {constant}: expected {shown}"


def test_every_limit_named_on_the_page_exists_with_that_value() -> None:
    import importlib
    import re

    page = _page("limits.md")
    for line in page.splitlines():
        for dotted in re.findall(r"`(policymatch(?:\.\w+)+\.MAX_\w+)`", line):
            module_name, name = dotted.rsplit(".", 1)
            module = importlib.import_module(module_name)
            assert hasattr(module, name), f"docs/limits.md names {dotted}, which does not exist"
            value = getattr(module, name)
            shown = f"1 – {value}" if name == "MAX_WORKERS" else _shown(value)
            assert shown in line, f"docs/limits.md shows {dotted} without its value {shown}"


def test_limits_page_shows_current_values() -> None:
    from policymatch.corpus import MAX_POLICY_FILE_BYTES
    from policymatch.profile import MAX_PROFILE_BYTES, MAX_TEXT_CHARS
    from policymatch.units import MAX_MONEY

    rows = [line for line in _page("limits.md").splitlines() if line.startswith("|")]
    expected = {
        "policymatch.corpus.MAX_POLICY_FILE_BYTES": f"{MAX_POLICY_FILE_BYTES:,}",
        "policymatch.profile.MAX_PROFILE_BYTES": f"{MAX_PROFILE_BYTES:,}",
        "policymatch.profile.MAX_TEXT_CHARS": f"{MAX_TEXT_CHARS:,}",
        "policymatch.units.MAX_MONEY": f"{MAX_MONEY:.0e}".replace("+", ""),
    }
    for constant, value in expected.items():
        row = next((line for line in rows if f"`{constant}`" in line), None)
        assert row is not None, f"{constant} is missing from docs/limits.md"
        assert value in row, f"docs/limits.md shows the wrong value for {constant}: expected {value}"


def test_readme_quickstart_commands_are_in_the_quickstart_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = _page("quickstart.md")
    for command in re.findall(r"```bash\n(.*?)```", readme, re.S)[:2]:
        assert command.strip() in page


# -- the site builds -----------------------------------------------------------------------------
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"{module} is not installed: pip install -e '.[docs]' to build the docs")
    site = tmp_path / "site"
    # The theme's search plugin segments Chinese with jieba, which caches in the temp dir.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (site / "index.html").is_file()
    for name in PUBLISHED:
        assert json.loads((site / name).read_text(encoding="utf-8"))
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "Matcher" in api and "profile_from_row" in api
