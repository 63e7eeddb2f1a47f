"""The published JSON Schemas accept what the library accepts (input form) and describe exactly
what it writes (output form); the project's own examples, policies and documented requests pass."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.cli import main
from policymatch.descriptions import DESCRIPTIONS
from policymatch.errors import ProfileError
from policymatch.profile import load_profile
from policymatch.schema import PUBLISHED, json_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))


def _validator(file: str) -> Any:
    schema = json.loads((DOCS / file).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(file: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}"
            for e in _validator(file).iter_errors(instance)]


def _as_json(value: Any) -> Any:
    """YAML data as a JSON document has it (a YAML date is a YYYY-MM-DD string in JSON)."""
    return json.loads(json.dumps(value, ensure_ascii=False,
                                 default=lambda v: v.isoformat() if isinstance(v, date) else v))


# -- the project's own data ---------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_profile_validates_against_the_input_schema(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert _errors("profile.schema.json", data) == []
    load_profile(path)  # and the library reads it


@pytest.mark.parametrize("path", POLICIES, ids=[p.stem for p in POLICIES])
def test_every_bundled_policy_file_validates_against_the_input_schema(path: Path) -> None:
    data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert _errors("policy.schema.json", data) == []


def _documented_requests() -> list[tuple[str, Any]]:
    """Every JSON request body in the docs and the README (``curl … -d '{…}'``)."""
    found = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for body in re.findall(r"-d '(\{.*?\})'", page.read_text(encoding="utf-8"), flags=re.S):
            found.append((page.name, json.loads(body)))
    return found


def test_every_documented_request_validates_against_the_input_schema() -> None:
    requests = _documented_requests()
    assert requests, "docs/service.md shows a request"
    for page, body in requests:
        assert _errors("profile.schema.json", body) == [], page
        load_profile(body)


def test_the_documented_policy_example_and_mini_validate() -> None:
    page = (DOCS / "policy-format.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", page, flags=re.S)]
    policies = [b for b in blocks if isinstance(b, dict) and "clauses" in b]
    assert policies
    mini = yaml.safe_load((ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8"))
    for data in [*policies, mini]:
        assert _errors("policy.schema.json", _as_json(data)) == []


def test_the_service_warm_up_profile_validates() -> None:
    from examples.service_app import WARM_UP_PROFILE

    assert _errors("profile.schema.json", WARM_UP_PROFILE) == []


# -- the input form accepts what the library accepts, and refuses what it refuses ---------------
@pytest.mark.parametrize("value", ["1.2亿", "3500万元", "3,500万", "￥120万", "五百万元", "１２０万",
                                   "1200000", 1200000, 0, "", None])
def test_money_the_library_reads_is_valid_input(value: Any) -> None:
    EnterpriseProfile(name="甲", revenue=value)
    assert _errors("profile.schema.json", {"name": "甲", "revenue": value}) == []


@pytest.mark.parametrize("value", ["很多", -5, True, [1]])
def test_money_the_library_refuses_is_invalid_input(value: Any) -> None:
    with pytest.raises((ProfileError, ValueError)):
        load_profile({"name": "甲", "revenue": value})
    assert _errors("profile.schema.json", {"name": "甲", "revenue": value})


def test_qualifications_as_one_string_are_valid_input() -> None:
    data = {"name": "甲", "qualifications": "国高新、专精特新小巨人"}
    assert load_profile(data).qualifications
    assert _errors("profile.schema.json", data) == []


def test_unknown_keys_are_invalid_input_as_in_the_library() -> None:
    assert _errors("profile.schema.json", {"name": "甲", "revenu": 1})
    with pytest.raises(ProfileError):
        load_profile({"name": "甲", "revenu": 1})


# -- the output form is exact ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(tokenizer) -> dict[str, Any]:
    matcher = Matcher(tokenizer=tokenizer).fit(load_policies())
    r = matcher.match(load_profile(EXAMPLES[0]), as_of=date(2026, 6, 30), include_ineligible=True)
    return json.loads(r.to_json())


def test_a_report_validates_against_the_output_schema(report: dict[str, Any]) -> None:
    assert report["matches"] and report["questions"]
    assert _errors("report.schema.json", report) == []


def test_the_output_schema_requires_every_property_and_numbers_for_money(report) -> None:
    broken = json.loads(json.dumps(report))
    del broken["matches"][0]["formula"]
    assert _errors("report.schema.json", broken)
    broken = json.loads(json.dumps(report))
    broken["total_amount"] = "30万"
    assert _errors("report.schema.json", broken)


def test_profiles_and_policies_as_written_validate_against_their_output_schemas() -> None:
    for path in EXAMPLES:
        dumped = load_profile(path).model_dump(mode="json")
        assert _errors("profile.output.schema.json", dumped) == []
        assert _errors("profile.output.schema.json", json.loads(path.read_text(encoding="utf-8")))
    for policy in load_policies().policies:
        assert _errors("policy.output.schema.json", policy.model_dump(mode="json")) == []


def test_the_output_form_of_a_profile_refuses_money_text() -> None:
    errors = _errors("profile.output.schema.json", {**load_profile(EXAMPLES[0]).model_dump(mode="json"),
                                                    "revenue": "1.2亿"})
    assert any(e.startswith("revenue") for e in errors)


# -- descriptions and the command ---------------------------------------------------------------
def test_every_report_property_has_a_description() -> None:
    schema = json_schema("report", "output")
    missing = [f"{name}.{prop}" for name, node in [("MatchReport", schema), *schema["$defs"].items()]
               for prop, spec in node.get("properties", {}).items() if "description" not in spec]
    assert missing == []
    assert len(DESCRIPTIONS["Match"]) >= 18


def test_every_search_hit_property_has_a_description() -> None:
    from pydantic import TypeAdapter

    from policymatch.models import SearchHit

    schema = TypeAdapter(SearchHit).json_schema(mode="serialization")
    assert all("description" in p for p in schema["properties"].values())


@pytest.mark.parametrize(("argv", "file"), [
    (["schema", "profile"], "profile.schema.json"),
    (["schema", "profile", "--form", "output"], "profile.output.schema.json"),
    (["schema", "policy"], "policy.schema.json"),
    (["schema", "policy", "--form", "output"], "policy.output.schema.json"),
    (["schema", "report"], "report.schema.json"),
])
def test_the_schema_command_prints_the_published_schema(argv, file, capsys) -> None:
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((DOCS / file).read_text(encoding="utf-8"))
    assert PUBLISHED[file][0] == argv[1]


@pytest.mark.parametrize(("field", "value"), [
    ("employees", "120"), ("office_area_sqm", "500"), ("revenue_growth", "0.12"),
    ("credit_clean", "true"), ("credit_clean", "Yes"), ("credit_clean", 1),
    ("talents", {"phd": "2"}), ("established", "2019-03-05"), ("established", "2019年3月"),
    ("established", "20190305"), ("established", "2019"), ("credit_clean", "是"),
])
def test_numbers_and_yes_no_as_text_are_valid_input_as_in_the_library(field: str, value: Any) -> None:
    load_profile({"name": "甲", field: value})
    assert _errors("profile.schema.json", {"name": "甲", field: value}) == []


@pytest.mark.parametrize(("field", "value"), [
    ("employees", "12x"), ("employees", -1), ("credit_clean", "maybe"), ("credit_clean", 2),
    ("talents", {"phd": "两个"}), ("established", "去年"),
])
def test_text_that_is_no_number_or_yes_no_is_invalid_input_as_in_the_library(field: str, value: Any) -> None:
    with pytest.raises(ProfileError):
        load_profile({"name": "甲", field: value})
    assert _errors("profile.schema.json", {"name": "甲", field: value})
