"""corpus: safe loading, precise problems for every kind of broken file, writing and round trips."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policymatch import (
    EnterpriseProfile,
    Policy,
    PolicyFileError,
    PolicySet,
    ProfileError,
    load_policies,
    load_profile,
)
from policymatch.corpus import (
    MAX_POLICY_FILE_BYTES,
    parse_yaml,
    policy_to_yaml,
    write_policy,
)
from policymatch.profile import MAX_PROFILE_BYTES

Writer = Callable[..., Path]


# -- loading -------------------------------------------------------------------------------------
def test_load_one_file_as_str_or_path(mini_path: Path) -> None:
    for source in (mini_path, str(mini_path), [mini_path]):
        ps = load_policies(source)
        assert isinstance(ps, PolicySet)
        assert [p.id for p in ps.policies] == ["mini"]
        assert len(ps) == 8


def test_load_a_folder_recursively_in_name_order(mini_raw: dict[str, Any],
                                                 write_yaml: Writer, tmp_path: Path) -> None:
    second = {"id": "second", "title": "第二个政策",
              "clauses": [{"id": "s-1", "title": "条", "text": "条文。",
                           "benefit": {"kind": "fixed", "amount": 1000}}]}
    third = {**second, "id": "third", "clauses": [{**second["clauses"][0], "id": "t-1"}]}
    write_yaml(mini_raw, "corpus/b.yaml")
    write_yaml(json.dumps(second, ensure_ascii=False), "corpus/a/second.json")
    write_yaml(third, "corpus/c.yml")
    write_yaml("# not a policy", "corpus/README.md")
    ps = load_policies(tmp_path / "corpus")
    assert [p.id for p in ps.policies] == ["second", "mini", "third"]


def test_load_several_paths(mini_path: Path, write_yaml: Writer, mini_raw: dict[str, Any]) -> None:
    mini_raw["id"] = "other"
    for c in mini_raw["clauses"]:
        c["id"] = "other-" + c["id"]
    ps = load_policies([mini_path, write_yaml(mini_raw)])
    assert [p.id for p in ps.policies] == ["mini", "other"]
    assert len(ps) == 16


def test_a_byte_order_mark_is_accepted(mini_path: Path, write_yaml: Writer) -> None:
    path = write_yaml(b"\xef\xbb\xbf" + mini_path.read_bytes())
    assert load_policies(path).policies[0].id == "mini"


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"empty: no \.yaml, \.yml or \.json policy files"):
        load_policies(tmp_path / "empty")
    with pytest.raises(PolicyFileError, match=r"nowhere\.yaml: no such file or folder"):
        load_policies(tmp_path / "nowhere.yaml")


def test_loading_leaves_the_files_untouched(mini_path: Path, write_yaml: Writer) -> None:
    path = write_yaml(mini_path.read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_policies(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# -- precise problems for broken policies --------------------------------------------------------
def _clause(raw: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in raw["clauses"] if c["id"] == cid)


BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown field in a clause",
     lambda d: _clause(d, "mini-xjr").update(colour="red"),
     r"clause mini-xjr: colour: Extra inputs are not permitted \(got 'red'\) — remove it or fix "
     r"its spelling; `policymatch schema policy` lists the fields"),
    ("unknown condition field",
     lambda d: _clause(d, "mini-sales").update(
         conditions={"field": "revenu", "op": ">=", "value": "1亿"}),
     r"clause mini-sales: conditions: unknown field 'revenu': use a profile field"),
    (">= with a text value",
     lambda d: _clause(d, "mini-sales").update(
         conditions={"field": "revenue", "op": ">=", "value": "很多"}),
     r"clause mini-sales: conditions: revenue: cannot read '很多' as money"),
    ("has on revenue",
     lambda d: _clause(d, "mini-sales").update(
         conditions={"field": "revenue", "op": "has", "value": "1亿"}),
     r"clause mini-sales: conditions: op 'has' does not apply to revenue \(money\); use one of "
     r"!=, <, <=, ==, >, >="),
    ("a wrong op deep in a tree",
     lambda d: _clause(d, "mini-equip")["conditions"]["of"][1]["of"][0].update(op="has"),
     r"clause mini-equip: conditions\.of\.1\.of\.0: op 'has' does not apply to is_above_scale"),
    ("an unknown field under not",
     lambda d: _clause(d, "mini-loan")["conditions"]["of"].update(field="亩均"),
     r"clause mini-loan: conditions\.of: unknown field '亩均'"),
    ("an unknown field in the document-wide conditions",
     lambda d: d["conditions"]["of"][1].update(field="credit"),
     r"policy\.yaml: conditions\.of\.1: unknown field 'credit'"),
    ("tiers out of order",
     lambda d: _clause(d, "mini-sales")["benefit"].update(
         tiers=[{"at": "5亿", "amount": "30万"}, {"at": "1亿", "amount": "10万"}]),
     r"clause mini-sales: benefit: tiers must be in increasing order of 'at', "
     r"got \[500000000\.0, 100000000\.0\]"),
    ("a cap below a tier amount",
     lambda d: _clause(d, "mini-sales")["benefit"].update(cap="20万"),
     r"clause mini-sales: benefit: cap 200000 is below the tier amount 500000"),
    ("a bad amount inside a tier",
     lambda d: _clause(d, "mini-sales")["benefit"]["tiers"][1].update(amount="三十万块钱"),
     r"clause mini-sales: benefit\.tiers\.1\.amount: cannot read '三十万块钱' as money"),
    ("a text base for a ratio",
     lambda d: _clause(d, "mini-equip")["benefit"].update(field="region"),
     r"clause mini-equip: benefit\.field: base field 'region' is text, not a number"),
    ("an unknown benefit kind",
     lambda d: _clause(d, "mini-gx")["benefit"].update(kind="bonus"),
     r"clause mini-gx: benefit: Input tag 'bonus' found using 'kind' does not match"),
    ("valid_to before valid_from",
     lambda d: d.update(valid_to=date(2024, 12, 31)),
     r"\(top level\): valid_to 2024-12-31 is before valid_from 2025-01-01; swap or fix them"),
    ("a missing clause title",
     lambda d: _clause(d, "mini-gx").pop("title"),
     r"clause mini-gx: title: Field required — add it"),
    ("a bad expected status in a stored case",
     lambda d: _clause(d, "mini-gx")["cases"][0].update(expect="maybe"),
     r"clause mini-gx: cases\.0\.expect: Input should be 'eligible', 'possible' or 'ineligible' "
     r"\(got 'maybe'\)"),
    ("a clause id with a space",
     lambda d: _clause(d, "mini-rent").update(id="mini rent"),
     r"clause mini rent: id: String should match pattern .* \(got 'mini rent'\)"),
    ("an unknown top-level key",
     lambda d: d.update(valid_until="2026-01-01"),
     r"policy\.yaml: valid_until: Extra inputs are not permitted"),
    ("the same clause id twice in one file",
     lambda d: _clause(d, "mini-xjr").update(id="mini-gx"),
     r"clause id 'mini-gx' appears twice in policy 'mini'"),
]


@pytest.mark.parametrize(("breakage", "message"), [(b, m) for _, b, m in BREAKAGES],
                         ids=[name for name, _, _ in BREAKAGES])
def test_a_broken_policy_names_file_clause_path_and_value(
        mini_raw: dict[str, Any], write_yaml: Writer,
        breakage: Callable[[dict[str, Any]], None], message: str) -> None:
    breakage(mini_raw)
    path = write_yaml(mini_raw)
    with pytest.raises(PolicyFileError, match=message) as info:
        load_policies(path)
    assert len(info.value.problems) == 1
    (line,) = info.value.problems
    assert line.startswith(f"{path}: ")
    assert re.search(message, line)
    assert str(info.value).startswith("1 problem in policy files:\n  ")


def test_every_problem_of_a_file_is_reported(mini_raw: dict[str, Any], write_yaml: Writer) -> None:
    _clause(mini_raw, "mini-gx").update(colour="red")
    _clause(mini_raw, "mini-sales")["benefit"].update(cap="20万")
    _clause(mini_raw, "mini-phd")["conditions"].update(field="talents.dr")
    with pytest.raises(PolicyFileError) as info:
        load_policies(write_yaml(mini_raw))
    problems = info.value.problems
    assert len(problems) == 3
    assert [re.search(r"clause ([\w-]+):", p).group(1) for p in problems] == [  # type: ignore[union-attr]
        "mini-gx", "mini-sales", "mini-phd"]


# Whole files that cannot be read at all. Each entry: file name, content, expected problem.
MARKER = "policymatch-pwned"
BAD_FILES: list[tuple[str, str | bytes, str]] = [
    ("dup-key.yaml", "id: x\ntitle: t\nid: y\n", r"line 3: duplicate key 'id'; each key may appear once"),
    ("python-tag.yaml",
     f'id: !!python/object/apply:os.system ["touch {MARKER}"]\ntitle: t\n',
     r"line 1: could not determine a constructor for the tag "
     r"'tag:yaml\.org,2002:python/object/apply:os\.system'; Python tags are never executed"),
    ("python-name.yaml", "id: !!python/name:os.system\n", r"python/name:os\.system"),
    ("python-new.yaml", "id: !!python/object/new:subprocess.Popen [[touch, x]]\n",
     r"python/object/new:subprocess\.Popen"),
    ("alias.yaml", "id: &a x\ntitle: *a\n", r"line 1: YAML anchors \(&a\) are not allowed"),
    ("alias-only.yaml", "id: x\ntitle: *a\n", r"found undefined alias 'a'|aliases"),
    ("merge.yaml", "base: &b {title: t}\npolicy:\n  <<: *b\n", r"YAML anchors \(&b\)"),
    ("laughs.yaml", 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", r"YAML anchors \(&a\)"),
    ("latin1.yaml", "id: 政策\n".encode("gb18030"), r"not UTF-8 text \(byte 4\); save the file as UTF-8"),
    ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"this is a binary file, not YAML or JSON"),
    ("list.yaml", "- id: x\n- id: y\n",
     r"expected a mapping with id, title and clauses at the top level, got list"),
    ("scalar.yaml", "just some text\n", r"at the top level, got str"),
    ("empty.yaml", "", r"at the top level, got NoneType"),
    ("syntax.yaml", "id: [unclosed\ntitle: t\n", r"line 2: (did not find )?expected ',' or '\]'"),
    ("list-key.yaml", "? [a, b]\n: 1\n", r"a key is a list or mapping; keys must be plain text"),
    ("deep.yaml", "a: " + "[" * 60 + "]" * 60 + "\n", r"nested more than 40 levels"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[n for n, _, _ in BAD_FILES])
def test_unreadable_files_are_refused(write_yaml: Writer, name: str, content: str | bytes,
                                      message: str) -> None:
    path = write_yaml(content, name)
    with pytest.raises(PolicyFileError, match=message) as info:
        load_policies(path)
    (line,) = info.value.problems
    assert line.startswith(f"{path}: ")


def test_python_tags_are_never_executed(write_yaml: Writer, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    calls: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    payloads = [
        f'id: !!python/object/apply:os.system ["touch {marker}"]\n',
        f'id: !!python/object/apply:subprocess.check_call [["touch", "{marker}"]]\n',
        f'id: !!python/object/apply:builtins.exec ["open(\'{marker}\', \'w\')"]\n',
        "clauses:\n  - !!python/object/new:os.system\n",
    ]
    for i, text in enumerate(payloads):
        with pytest.raises(PolicyFileError, match="Python tags are never executed"):
            load_policies(write_yaml(text, f"evil-{i}.yaml"))
    assert not marker.exists()
    assert calls == []


def test_an_over_size_file_is_refused_before_parsing(write_yaml: Writer) -> None:
    path = write_yaml(b"#" * (MAX_POLICY_FILE_BYTES + 1), "huge.yaml")
    with pytest.raises(PolicyFileError, match=r"huge\.yaml: 2,000,001 bytes is over the "
                                              r"2,000,000-byte limit for one policy file"):
        load_policies(path)


def test_duplicate_ids_across_files(mini_path: Path, write_yaml: Writer, tmp_path: Path) -> None:
    first = write_yaml(mini_path.read_bytes(), "corpus/a.yaml")
    data = yaml.safe_load(mini_path.read_text(encoding="utf-8"))
    data["id"] = "mini-copy"
    second = write_yaml(data, "corpus/b.yaml")
    with pytest.raises(PolicyFileError) as info:
        load_policies(tmp_path / "corpus")
    problems = info.value.problems
    assert len(problems) == 8  # each of the eight clause ids is taken
    assert problems[0] == (f"{second}: clause mini-gx: id is already used in {first}; "
                           "clause ids must be unique")
    data["id"] = "mini"
    write_yaml({**data, "clauses": [{**c, "id": "x-" + c["id"]} for c in data["clauses"]]},
               "corpus/b.yaml")
    with pytest.raises(PolicyFileError, match=rf"b\.yaml: policy id 'mini' is already used by "
                                              rf"{re.escape(str(first))}; give each policy"):
        load_policies(tmp_path / "corpus")


def test_all_problems_of_all_files_at_once(mini_path: Path, mini_raw: dict[str, Any],
                                           write_yaml: Writer, tmp_path: Path) -> None:
    write_yaml(mini_path.read_bytes(), "corpus/0-good.yaml")
    _clause(mini_raw, "mini-sales")["benefit"].update(cap="20万")
    mini_raw["id"] = "broken"
    for c in mini_raw["clauses"]:
        c["id"] = "b-" + c["id"]
    write_yaml(mini_raw, "corpus/1-broken.yaml")
    for name, content, _ in BAD_FILES:
        write_yaml(content, f"corpus/{name}")
    with pytest.raises(PolicyFileError) as info:
        load_policies(tmp_path / "corpus")
    problems = info.value.problems
    assert len(problems) == 1 + len(BAD_FILES)
    assert f"{len(problems)} problems in policy files:" in str(info.value)
    for line in problems:
        assert line.startswith(str(tmp_path / "corpus")), line
    assert any("clause b-mini-sales: benefit: cap 200000" in line for line in problems)
    for name, _, message in BAD_FILES:
        assert any(line.startswith(str(tmp_path / "corpus" / name)) and re.search(message, line)
                   for line in problems), name


def test_parse_yaml_reads_plain_yaml_and_json() -> None:
    assert parse_yaml("a: 1\nb: [x, y]\n", "f") == {"a": 1, "b": ["x", "y"]}
    assert parse_yaml('{"a": 1, "b": ["x", "y"]}', "f") == {"a": 1, "b": ["x", "y"]}
    assert parse_yaml("d: 2025-01-01\n", "f") == {"d": date(2025, 1, 1)}


# -- writing and round trips ---------------------------------------------------------------------
def test_policy_to_yaml_round_trips_mini(mini_policy: Policy, write_yaml: Writer) -> None:
    text = policy_to_yaml(mini_policy)
    assert text.startswith("id: mini\ntitle: ")
    assert Policy.model_validate(parse_yaml(text, "mini")) == mini_policy
    assert load_policies(write_yaml(text)).policies[0] == mini_policy
    # Defaults are left out, but every node keeps the kind it needs to be read back.
    assert "kind: fixed" in text and "kind: all" in text and "kind: field" not in text
    assert "mode: 依申请" not in text


def test_policy_to_yaml_header(mini_policy: Policy) -> None:
    text = policy_to_yaml(mini_policy, header="草稿，待审核\n\n来源：测试")
    assert text.startswith("# 草稿，待审核\n#\n# 来源：测试\nid: mini\n")
    assert Policy.model_validate(parse_yaml(text, "mini")) == mini_policy


def test_write_policy_is_atomic(mini_policy: Policy, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "mini.yaml"
    assert write_policy(mini_policy, target) == target
    assert load_policies(target).policies[0] == mini_policy
    original = target.read_bytes()

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    changed = mini_policy.model_copy(update={"title": "改过的标题"})
    with pytest.raises(OSError, match="disk full"):
        write_policy(changed, target)
    assert target.read_bytes() == original  # the old file is intact
    assert sorted(p.name for p in target.parent.iterdir()) == ["mini.yaml"]  # no temp left


def test_stored_case_dates_survive_a_round_trip(mini_raw: dict[str, Any]) -> None:
    _clause(mini_raw, "mini-rent")["cases"] = [
        {"profile": {"region": "测试县", "credit_clean": True, "established": date(2024, 1, 1),
                     "office_area_sqm": 100}, "expect": "eligible", "as_of": date(2025, 6, 1)}]
    policy = Policy.model_validate(mini_raw)
    assert Policy.model_validate(parse_yaml(policy_to_yaml(policy), "x")) == policy


_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
_leaves = st.sampled_from([
    {"field": "revenue", "op": ">=", "value": "1亿"},
    {"field": "qualifications", "op": "has", "value": ["国高新", "专精特新"]},
    {"field": "is_above_scale", "op": "==", "value": True},
    {"field": "region", "op": "in", "value": ["嵊州市", "yes", "null", "1e3", "#x", " lead"]},
    {"field": "extra.亩均评价", "op": "!=", "value": "D"},
    {"field": "age_years", "op": "<", "value": 3},
])
_conditions = st.recursive(
    _leaves,
    lambda kids: st.one_of(
        st.builds(lambda of: {"kind": "all", "of": of}, st.lists(kids, min_size=1, max_size=3)),
        st.builds(lambda of: {"kind": "any", "of": of}, st.lists(kids, min_size=1, max_size=3)),
        st.builds(lambda of: {"kind": "not", "of": of}, kids)),
    max_leaves=6)
_benefits = st.sampled_from([
    {"kind": "fixed", "amount": "20万", "up_to": True},
    {"kind": "tiers", "field": "revenue", "tiers": [{"at": "1亿", "amount": "10万"},
                                                    {"at": "5亿", "rate": 0.001}], "cap": "60万"},
    {"kind": "ratio", "field": "equipment_investment", "rate": 0.1, "cap": "200万", "floor": 1},
    {"kind": "per_unit", "field": "talents.phd", "rate": 3000, "period": "month", "duration": 36,
     "max_units": 5},
    {"kind": "interest", "base_rate": 0.0345, "share": 0.5, "years": 2},
    {"kind": "rent", "rate": 10, "max_area": 200, "cap": "2万"},
    {"kind": "in_kind", "description": "优先保障用地"},
])


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    n = draw(st.integers(1, 4))
    clauses = []
    for i in range(n):
        clause: dict[str, Any] = {"id": f"c{i}", "title": draw(_names), "text": draw(_names),
                                  "benefit": draw(_benefits)}
        if draw(st.booleans()):
            clause["conditions"] = draw(_conditions)
        clause["mode"] = draw(st.sampled_from(["免申即享", "依申请", "快申快享"]))
        clause["materials"] = draw(st.lists(_names, max_size=2))
        if draw(st.booleans()):
            clause["cases"] = [{"profile": {"revenue": draw(st.integers(0, 10**9)),
                                            "established": draw(st.dates())},
                                "expect": draw(st.sampled_from(["eligible", "possible"])),
                                "note": draw(_names)}]
        clauses.append(clause)
    start = draw(st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2030, 1, 1))))
    data: dict[str, Any] = {"id": "p", "title": draw(_names), "clauses": clauses,
                            "tier": draw(st.sampled_from([None, "1", "9", "X"])),
                            "valid_from": start, "notice": draw(st.one_of(st.none(), _names))}
    if start is not None and draw(st.booleans()):
        data["valid_to"] = start + timedelta(days=draw(st.integers(0, 3650)))
    if draw(st.booleans()):
        data["conditions"] = draw(_conditions)
    return Policy.model_validate(data)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(policies())
def test_any_policy_round_trips_through_yaml(policy: Policy) -> None:
    text = policy_to_yaml(policy)
    assert Policy.model_validate(parse_yaml(text, "p.yaml")) == policy


# -- profiles ------------------------------------------------------------------------------------
PROFILE = {"name": "测试县精密机械有限公司", "revenue": "2.3亿", "qualifications": ["国高新"],
           "established": "2020-05-01", "talents": {"phd": 2}}


def test_load_profile_from_dict_file_and_bytes(tmp_path: Path) -> None:
    expected = EnterpriseProfile.model_validate(PROFILE)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    assert load_profile(PROFILE) == expected
    assert load_profile(path) == expected
    assert load_profile(str(path)) == expected
    assert load_profile(json.dumps(PROFILE).encode("utf-8")) == expected
    assert load_profile(b"\xef\xbb\xbf" + json.dumps(PROFILE).encode("utf-8")) == expected


def test_a_profile_round_trips_through_its_json(maker_profile: EnterpriseProfile,
                                                tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(maker_profile.model_dump_json(), encoding="utf-8")
    assert load_profile(path) == maker_profile


def test_every_bad_profile_field_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "甲", "revenue": "很多", "credit_code": "91330683MA2JK3L5XJ",
                                "talents": {"phd": -1}, "colour": "red"}, ensure_ascii=False),
                    encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    lines = str(info.value).splitlines()
    assert lines[0] == lines[1].strip() + " (and 3 more)"
    assert lines[1:] == [
        f"  {path}: credit_code: 统一社会信用代码 '91330683MA2JK3L5XJ' fails its check digit: the "
        "18th character should be 'H', not 'J'; re-copy the code from the business licence "
        "(got '91330683MA2JK3L5XJ')",
        f"  {path}: revenue: cannot read '很多' as money; write a number of 元 or text like "
        "'3500万元', '1.2亿', '120万' (got '很多')",
        f"  {path}: talents.phd: Input should be greater than or equal to 0 (got -1)",
        f"  {path}: colour: Extra inputs are not permitted (got 'red') — remove it or fix its "
        "spelling; `policymatch schema profile` lists the fields",
    ]
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"name": 1', r"profile: not valid JSON \(line 1, column 11: Expecting ',' delimiter\)"),
        (b"\xff\xfe{}", r"profile: not UTF-8 text \(byte 0\)"),
        (b"\x00\x01\x02", "profile: this is a binary file"),
        (b"[1, 2]", 'profile: expected a JSON object with at least "name"'),
        (b'{"revenue": 1}', "name: Field required"),
        (b" " * (MAX_PROFILE_BYTES + 1), "profile: larger than 1,000,000 bytes"),
    ],
)
def test_bad_profile_bytes(content: bytes, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_profile(content)


def test_bad_profile_paths(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope\.json: no such file"):
        load_profile(tmp_path / "nope.json")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_PROFILE_BYTES + 1))
    with pytest.raises(ProfileError, match=r"big\.json: larger than 1,000,000 bytes"):
        load_profile(big)
    with pytest.raises(ProfileError, match="is a folder; give the profile JSON inside it"):
        load_profile(tmp_path)  # a folder is not a profile
