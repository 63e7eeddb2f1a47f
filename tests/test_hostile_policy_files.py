"""Policy files and profiles that try to be read as something else than they say.

YAML 1.1 forms are refused with their line instead of reinterpreted; merge keys, bad tags, empty
conditions and stray NUL bytes get messages with lines; sizes are checked before reading;
folders, FIFOs and devices are named; messages are short and say the fix.
"""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policymatch import load_policies
from policymatch.corpus import MAX_POLICY_FILE_BYTES, policy_to_yaml
from policymatch.errors import PolicyFileError, ProfileError
from policymatch.profile import MAX_PROFILE_BYTES, load_profile

MINI = Path(__file__).parent / "data" / "mini.yaml"
Writer = Callable[..., Path]


def mini_text() -> str:
    return MINI.read_text("utf-8")


def problems(write_yaml: Writer, text: str | bytes) -> list[str]:
    with pytest.raises(PolicyFileError) as info:
        load_policies(write_yaml(text))
    return info.value.problems


# -- YAML 1.1 forms are kept as written or refused --------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ("amount: 20万}", "amount: 010}", "010 has a leading zero"),
    ("amount: 20万}", "amount: 0755}", "0755 has a leading zero"),
    ("amount: 20万}", "amount: 0x1F}", "0x1F is not a plain decimal number"),
    ("amount: 20万}", "amount: 0b101}", "0b101 is not a plain decimal number"),
    ("amount: 20万}", "amount: 1_000}", "1_000 is not a plain decimal number"),
    ("amount: 20万}", "amount: 1:30}", "1:30 is read by YAML as a base-60 number"),
    ("amount: 20万}", "amount: 190:20:30}", "190:20:30 is read by YAML as a base-60 number"),
    ("value: true}", "value: yes}", "yes is read by YAML as true"),
    ("value: true}", "value: On}", "On is read by YAML as true"),
    ("value: true}", "value: NO}", "NO is read by YAML as false"),
])
def test_yaml_1_1_forms_are_refused_with_their_line(write_yaml: Writer, old: str, new: str,
                                                     message: str) -> None:
    text = mini_text().replace(old, new, 1)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if new.rstrip("}") in t)
    found = problems(write_yaml, text)
    assert any(f"line {line}: {message}" in p for p in found), found


@pytest.mark.parametrize("value", ["'010'", '"1:30"', "'yes'", "10", "1.5", "-0", "+3", "2025-06-01"])
def test_plain_and_quoted_forms_still_read(write_yaml: Writer, value: str) -> None:
    text = mini_text().replace("source: test fixture", f"source: {value}")
    if value == "2025-06-01":
        with pytest.raises(PolicyFileError):  # a date is not text: refused by the model, not lost
            load_policies(write_yaml(text))
        return
    if value in ("10", "1.5", "-0", "+3"):
        with pytest.raises(PolicyFileError, match="source"):
            load_policies(write_yaml(text))
        return
    policy = load_policies(write_yaml(text)).policies[0]
    assert policy.source == value.strip("'\"")


def test_a_written_policy_quotes_what_yaml_1_1_would_reinterpret(mini_raw: dict[str, Any],
                                                                  write_yaml: Writer) -> None:
    mini_raw["source"] = "010"
    mini_raw["doc_number"] = "1:30"
    policy = load_policies(write_yaml(mini_raw)).policies[0]
    again = load_policies(write_yaml(policy_to_yaml(policy), "again.yaml")).policies[0]
    assert again == policy and again.source == "010" and again.doc_number == "1:30"


# -- parser-internal messages become ones with lines --------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ("    department: 县科技局\n", "    <<: {department: 县科技局}\n", "line 24: YAML merge keys (<<)"),
    ("valid_to: 2025-12-31", "valid_to: !!timestamp abc", "line 10: cannot read 'abc' (not a date"),
    ("valid_to: 2025-12-31", "valid_to: !!int abc", "line 10: cannot read 'abc'"),
    ("valid_to: 2025-12-31", "valid_to: 2025-02-30", "line 10: cannot read '2025-02-30' (day is out"),
])
def test_merge_keys_and_bad_tags(write_yaml: Writer, old: str, new: str, message: str) -> None:
    found = problems(write_yaml, mini_text().replace(old, new, 1))
    assert any(message in p for p in found), found
    assert all("NoneType" not in p and "groupdict" not in p for p in found)


@pytest.mark.parametrize("empty", ["{}", "{kind: all}", "[]"])
def test_empty_conditions_say_what_to_write(write_yaml: Writer, empty: str) -> None:
    text = mini_text().replace("conditions: {field: new_qualifications, op: has, value: 国高新}",
                               f"conditions: {empty}", 1)
    found = problems(write_yaml, text)
    assert any("clause mini-gx: conditions" in p and "(line 22)" in p for p in found), found
    assert all("_condition_kind" not in p for p in found)


@pytest.mark.parametrize("where", [9000, 20_000, 100_000])
def test_a_late_nul_byte_is_named_with_its_line(write_yaml: Writer, where: int) -> None:
    body = mini_text().encode()
    padding = b"# " + b"x" * 70 + b"\n"
    data = body + padding * (where // len(padding)) + b"# \x00\n"
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    found = problems(write_yaml, data)
    assert len(found) == 1 and f"line {line}: a NUL byte (\\x00) in the text; remove it" in found[0]


def test_validation_problems_carry_their_line(write_yaml: Writer) -> None:
    text = mini_text().replace("amount: 50万}", "amount: 很多}", 1)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "很多" in t)
    found = problems(write_yaml, text)
    assert any(f"(line {line})" in p and "mini-xjr" in p for p in found), found


# -- sizes before reading; files that are not files ---------------------------------------------------
def test_an_oversized_policy_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(50 * MAX_POLICY_FILE_BYTES)  # sparse: 100 MB that costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(PolicyFileError, match="100,000,000 bytes is over the 2,000,000-byte"):
            load_policies(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_an_oversized_profile_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(100 * MAX_PROFILE_BYTES)
    tracemalloc.start()
    try:
        with pytest.raises(ProfileError, match="larger than 1,000,000 bytes"):
            load_profile(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("kind", ["fifo", "device", "folder-profile"])
def test_fifos_devices_and_folders_are_named(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(tmp_path / "p.yaml")
        with pytest.raises(PolicyFileError, match="not a regular file"):
            load_policies(tmp_path / "p.yaml")
        os.mkfifo(tmp_path / "p.json")
        with pytest.raises(ProfileError, match="not a regular file"):
            load_profile(tmp_path / "p.json")
    elif kind == "device":
        with pytest.raises(PolicyFileError, match="/dev/zero: not a regular file"):
            load_policies("/dev/zero")
        with pytest.raises(ProfileError, match="/dev/zero: not a regular file"):
            load_profile("/dev/zero")
    else:
        with pytest.raises(ProfileError, match="is a folder"):
            load_profile(tmp_path)


@pytest.mark.parametrize("empty", ["", "  ", "\t"])
def test_an_empty_policy_path_is_refused(empty: Any) -> None:
    with pytest.raises(PolicyFileError, match="an empty policy path"):
        load_policies([empty])


def test_duplicate_ids_across_many_files_are_all_found(mini_raw: dict[str, Any],
                                                        write_yaml: Writer, tmp_path: Path) -> None:
    for i in range(300):
        raw = {**mini_raw, "id": f"p{i}", "clauses": [{**mini_raw["clauses"][0],
                                                       "id": f"c{i % 150}", "cases": []}]}
        write_yaml(raw, f"many/p{i:03d}.yaml")
    with pytest.raises(PolicyFileError) as info:
        load_policies(tmp_path / "many")
    found = info.value.problems
    assert len(found) == 150 and all("already used in" in p for p in found)
    assert "p150.yaml: clause c0: id is already used in" in found[0] and "p000.yaml" in found[0]


# -- profile messages -----------------------------------------------------------------------------
@pytest.mark.parametrize(("word", "value"), [("是", True), ("否", False), (" 是 ", True)])
def test_yes_no_words_in_profile_json(word: str, value: bool) -> None:
    profile = load_profile({"name": "甲", "is_above_scale": word, "credit_clean": word})
    assert profile.is_above_scale is value and profile.credit_clean is value


def test_yes_no_words_only_in_yes_no_fields() -> None:
    assert load_profile({"name": "甲", "region": "是"}).region == "是"


@pytest.mark.parametrize("value", [{"b": 1}, [1, {"x": 2}], {"a": {"b": {"c": 1}}}])
def test_a_nested_extra_value_is_one_clear_problem(value: Any) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile({"name": "甲", "extra": {"a": value}})
    first = str(info.value).splitlines()[0]
    assert first.startswith("profile: extra.a: an extra fact is a number, yes/no, text or a list")
    assert "more)" not in first and ".float" not in first


@pytest.mark.parametrize("money", ["3亿5", "五百万亿万", "1.2.3万"])
def test_unreadable_money_says_how_to_write_it(money: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile({"name": "甲", "revenue": money})
    message = str(info.value).splitlines()[0]
    assert f"cannot read '{money}' as money; write a number of 元" in message
    assert "(10000000)" not in message
