"""batch: Matcher.match_many / eligible_for / the `batch` command equal match() one by one."""

from __future__ import annotations

import json
import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from policymatch import EnterpriseProfile, Matcher, ProfileError, load_policies
from policymatch.batch import COLUMNS, count_records
from policymatch.batch.certify import certify, fast_path_active
from policymatch.batch.columns import profile_value, stored_fields
from policymatch.batch.vectorized import round2
from policymatch.cli import main
from policymatch.errors import UnknownClauseError
from policymatch.fields import FieldKind, field_spec
from policymatch.matcher import clause_document
from policymatch.models import FieldTest
from policymatch.profile import profile_from_row

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

DAY = date(2025, 6, 30)
MINI = Path(__file__).parent / "data" / "mini.yaml"


@pytest.fixture(scope="module")
def bundled(tokenizer: Any) -> Matcher:
    """The bundled corpus and the tiny test policy (every benefit kind, OR/NOT, a group)."""
    policies = load_policies()
    mini = load_policies(MINI)
    from policymatch.models import PolicySet

    return Matcher(tokenizer=tokenizer).fit(PolicySet(policies=policies.policies + mini.policies))


@pytest.fixture(scope="module")
def population() -> list[dict[str, Any]]:
    """Generated enterprises, a few with one deliberately bad value."""
    return list(generate.generate(240, seed=11, bad_rate=0.05, today=DAY))


# -- the oracle: match() one enterprise at a time ----------------------------------------------
def expected(matcher: Matcher, profiles: list[Any], *, include_possible: bool = True
             ) -> tuple[list[tuple[Any, ...]], set[int]]:
    """The long table match() implies, in input then clause order, and the rows it refuses."""
    order = {c.id: k for k, (_, c) in enumerate(matcher.pairs_)}
    rows: list[tuple[Any, ...]] = []
    refused: set[int] = set()
    for number, raw in enumerate(profiles, start=1):
        try:
            profile = raw if isinstance(raw, EnterpriseProfile) else profile_from_row(raw)
            report = matcher.match(profile, as_of=DAY)
        except ProfileError:
            refused.add(number)
            continue
        ident = profile.id or profile.credit_code or str(number)
        for m in sorted(report.matches, key=lambda m: order[m.clause_id]):
            if m.status.value == "possible" and not include_possible:
                continue
            rows.append((ident, profile.name, m.clause_id, m.status.value, m.score, m.amount,
                         m.counted, ";".join(m.missing), m.recipient))
    return rows, refused


def rows_of(table: Any) -> list[tuple[Any, ...]]:
    out = []
    for r in table.astype(object).itertuples(index=False):
        amount = None if r.amount is None or (isinstance(r.amount, float) and math.isnan(r.amount)) \
            else r.amount
        out.append((r.enterprise_id, r.name, r.clause_id, r.status, r.score, amount,
                    bool(r.counted), r.missing, r.recipient))
    return out


def assert_same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    assert [g[:4] for g in got] == [w[:4] for w in want]
    for g, w in zip(got, want, strict=True):
        where = f"{g[0]} {g[2]}"
        assert abs(g[4] - w[4]) <= 1e-9, where
        assert g[4] == w[4], f"{where}: relevance should be bit for bit the same"
        assert (g[5] is None) == (w[5] is None), where
        if w[5] is not None:
            assert abs(g[5] - w[5]) <= 0.01, where
        assert g[6] == w[6], where
        assert g[7] == w[7], where
        assert g[8] == w[8], where


# -- hypothesis: profiles at the corpus's own thresholds ------------------------------------------
def _leaves(matcher: Matcher) -> list[FieldTest]:
    out: list[FieldTest] = []

    def walk(node: Any) -> None:
        if node is None:
            return
        if isinstance(node, FieldTest):
            out.append(node)
        elif hasattr(node, "of"):
            for child in node.of if isinstance(node.of, tuple) else (node.of,):
                walk(child)

    for policy, clause in matcher.pairs_:
        walk(policy.conditions)
        walk(clause.conditions)
    return out


@pytest.fixture(scope="module")
def candidates(bundled: Matcher) -> dict[str, list[Any]]:
    """For each field a condition reads: values on, just off and far from its thresholds."""
    values: dict[str, list[Any]] = {}
    for leaf in _leaves(bundled):
        spec = field_spec(leaf.field)
        assert spec is not None
        given_ = leaf.value if isinstance(leaf.value, list) else [leaf.value]
        pool = values.setdefault(leaf.field, [])
        for v in given_:
            if isinstance(v, float) and spec.kind in (FieldKind.MONEY, FieldKind.NUMBER,
                                                      FieldKind.RATIO, FieldKind.ANY):
                step = 1.0 if v >= 100 else 0.01
                pool += [v, v - step, v + step, v * 2, v / 2, 0.0]
            else:
                pool.append(v)
    values["region"] = [*values.get("region", []), "嵊州", "新昌县", "测试县", " 嵊州市"]
    values["qualifications"] = [*values.get("qualifications", []), "国高新", "专精特新", "小巨人",
                                "绿色工厂", "某县自定义荣誉"]  # names the alias table does not know
    values["industry"] = [*values.get("industry", []), "纺织品"]
    for key in [k for k in values if k.startswith("extra.")]:
        values[key] = [*values[key], "不是数字", True]  # wrong types: match() refuses these
    return {k: list(dict.fromkeys(map(json.dumps, v))) for k, v in values.items()}


@st.composite
def profile_dicts(draw: Any, candidates: dict[str, list[Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "甲企业"}
    for field, pool in candidates.items():
        if draw(st.integers(0, 3)) == 0:
            continue  # unknown
        value = json.loads(draw(st.sampled_from(pool)))
        if field == "age_years":  # a day, or only its month or year (a range of ages)
            day = DAY - timedelta(days=round(float(value) * 365.25) + draw(st.integers(-1, 1)))
            data["established"] = draw(st.sampled_from([
                day.isoformat(), f"{day.year}", f"{day.year}年{day.month}月", f"{day.year}/{day.month:02d}",
                f"{DAY.year}", f"{DAY.year + 1}"]))  # the year of DAY runs past it; the next is refused
        elif field == "rd_ratio":
            data["revenue"] = 1e8
            data["rd_expense"] = float(value) * 1e8
        elif field in ("scale_class", "industry_section"):
            data["industry_code"] = draw(st.sampled_from(["C3841", "F5123", "I6513", "E4710"]))
            data["employees"] = draw(st.sampled_from([5, 20, 300, 1000]))
            data["revenue"] = draw(st.sampled_from([1e6, 3e7, 4e8]))
        elif field.startswith("talents."):
            data.setdefault("talents", {})[field[8:]] = max(0, int(value)) \
                if isinstance(value, (int, float)) else 0
        elif field.startswith("extra."):
            data.setdefault("extra", {})[field[6:]] = value
        elif field.startswith("previous."):  # previous.extra.<key> folds into previous.extra
            data.setdefault("previous", {})[field[9:]] = value
        elif field in ("qualifications", "new_qualifications"):
            data[field] = draw(st.lists(st.sampled_from(pool), max_size=3).map(
                lambda xs: [x for v in xs for x in (json.loads(v) if isinstance(json.loads(v), list)
                                                   else [json.loads(v)])]))
        elif field_spec(field) is not None and not field_spec(field).derived:  # type: ignore[union-attr]
            data[field] = value
    return data


@pytest.mark.slow
def test_match_many_equals_match_on_threshold_profiles(bundled: Matcher,
                                                       candidates: dict[str, list[Any]]) -> None:
    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(profile_dicts(candidates), min_size=1, max_size=12))
    def check(raws: list[dict[str, Any]]) -> None:
        profiles = []
        for k, raw in enumerate(raws):
            try:
                profiles.append(EnterpriseProfile.model_validate({**raw, "id": f"P{k}"}))
            except ValidationError:
                continue
        assume(profiles)
        want, refused = expected(bundled, profiles)
        rejects: list[tuple[int, str]] = []
        got = bundled.match_many(profiles, as_of=DAY, rejects=rejects, chunk_size=5)
        assert {r for r, _ in rejects} == refused
        assert_same(rows_of(got), want)

    check()


# -- generated populations and input forms --------------------------------------------------------
@pytest.mark.slow
def test_generated_population_equals_match(bundled: Matcher,
                                           population: list[dict[str, Any]]) -> None:
    rejects: list[tuple[int, str]] = []
    got = bundled.match_many(population, as_of=DAY, rejects=rejects, chunk_size=64)
    want, refused = expected(bundled, population)
    assert refused, "the population should hold a few bad rows"
    assert {r for r, _ in rejects} == refused
    assert_same(rows_of(got), want)
    assert list(got.columns) == list(COLUMNS)


def test_eligible_only_drops_possible(bundled: Matcher, population: list[dict[str, Any]]) -> None:
    got = bundled.match_many(population, as_of=DAY, rejects=[], include_possible=False)
    want, _ = expected(bundled, population, include_possible=False)
    assert_same(rows_of(got), want)


def _write_inputs(records: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    frame = pd.DataFrame.from_records(records, columns=list(generate.COLUMNS))
    csv_path = folder / "in.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        import csv

        writer = csv.writer(fh)
        writer.writerow(generate.COLUMNS)
        for rec in records:
            writer.writerow([generate._csv_cell(rec[c]) for c in generate.COLUMNS])
    jsonl = folder / "in.jsonl"
    jsonl.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None},
                                        ensure_ascii=False) + "\n" for r in records), "utf-8")
    parquet = folder / "in.parquet"
    text_money = frame.copy()
    for col in ("revenue", "tax_paid", "rd_expense", "equipment_investment",
                "fixed_asset_investment", "export_value", "loan_amount"):
        text_money[col] = text_money[col].map(lambda v: None if v is None or v != v
                                              else generate._csv_cell(v))
    text_money.to_parquet(parquet, index=False)
    return {"records": records, "dataframe": frame, "csv": csv_path, "jsonl": jsonl,
            "parquet": parquet}


def test_input_forms_give_identical_results(bundled: Matcher, tmp_path: Path) -> None:
    # a CSV cell cannot tell "holds none" ([]) from "not known": compare where all forms can
    records = [{k: None if v == [] else v for k, v in r.items()}
               for r in generate.generate(120, seed=4, today=DAY)]
    forms = _write_inputs(records, tmp_path)
    profiles = [profile_from_row(r) for r in records]
    reference = rows_of(bundled.match_many(profiles, as_of=DAY))
    assert reference
    for name, source in forms.items():
        rejects: list[tuple[int, str]] = []
        got = bundled.match_many(source, as_of=DAY, rejects=rejects, chunk_size=50)
        assert rejects == [], name
        assert rows_of(got) == reference, name


@pytest.mark.parametrize("chunk_size", [1, 7, 10_000])
def test_chunk_size_does_not_change_results(bundled: Matcher, population: list[dict[str, Any]],
                                            chunk_size: int) -> None:
    firms = population if chunk_size > 1 else population[:80]  # one row a chunk: fewer rows
    want: list[tuple[int, str]] = []
    reference = bundled.match_many(firms, as_of=DAY, rejects=want, chunk_size=97)
    rejects: list[tuple[int, str]] = []
    got = bundled.match_many(firms, as_of=DAY, rejects=rejects, chunk_size=chunk_size)
    assert rows_of(got) == rows_of(reference)
    assert rejects == want


def test_bad_rows_raise_unless_collected(bundled: Matcher, population: list[dict[str, Any]]) -> None:
    with pytest.raises(ProfileError, match=r"row\(s\) could not be matched.*rejects=\[\]"):
        bundled.match_many(population, as_of=DAY)


def test_eligible_for_is_the_filtered_long_table(bundled: Matcher,
                                                 population: list[dict[str, Any]]) -> None:
    table = bundled.match_many(population, as_of=DAY, rejects=[])
    grouped = [c.id for _, c in bundled.pairs_ if c.exclusive_group]
    for clause_id in ["sz1-xsg", "mini-equip", *grouped[:3]]:
        got = bundled.eligible_for(clause_id, population, as_of=DAY, rejects=[])
        want = table[(table.clause_id == clause_id) & (table.status == "eligible")]
        assert rows_of(got) == rows_of(want), clause_id
    with pytest.raises(UnknownClauseError, match="no clause 'nope'"):
        bundled.eligible_for("nope", population)


def test_not_fitted_and_bad_sources_are_refused(bundled: Matcher, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not fitted"):
        Matcher().match_many([])
    with pytest.raises(TypeError, match="many profiles"):
        bundled.match_many({"name": "甲"})
    with pytest.raises(FileNotFoundError, match="no such file"):
        bundled.match_many(tmp_path / "missing.csv")
    (tmp_path / "x.txt").write_text("name\n甲\n", "utf-8")
    with pytest.raises(ValueError, match=r"read \.csv, \.jsonl"):
        bundled.match_many(tmp_path / "x.txt")
    with pytest.raises(ValueError, match="chunk_size"):
        bundled.match_many([], chunk_size=0)
    assert len(bundled.match_many([])) == 0


# -- the batch command: rejects, summary, files ---------------------------------------------------
def _bad_csv(folder: Path) -> tuple[Path, dict[int, str]]:
    records = list(generate.generate(60, seed=2, today=DAY))
    path = folder / "firms.csv"
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(generate.COLUMNS)
        for k, rec in enumerate(records, start=1):
            cells = [generate._csv_cell(rec[c]) for c in generate.COLUMNS]
            if k == 5:
                cells[generate.COLUMNS.index("revenue")] = "大约三百来万"
            if k == 9:
                cells[generate.COLUMNS.index("employees")] = "12.5"
            if k == 13:
                cells.append("多出来的一列")
            writer.writerow(cells)
            if k == 20:
                fh.write("\n")  # a blank line is not a record
    return path, {5: "revenue", 9: "employees", 13: "fields"}


@pytest.fixture(autouse=True)
def _no_index_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYMATCH_NO_CACHE", "1")  # the CLI must not write to ~/.cache here


def test_cli_batch_writes_table_rejects_and_summary(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    source, bad = _bad_csv(tmp_path)
    out = tmp_path / "out" / "pairs.csv"
    code = main(["batch", str(source), "-o", str(out), "--policies", str(MINI), "--as-of",
                 DAY.isoformat()])
    captured = capsys.readouterr()
    assert code == 0
    assert "read 60 rows" in captured.out and "3 rejected" in captured.out
    assert "|" not in captured.err  # no progress bar when stderr is not a terminal
    rejects = pd.read_csv(out.with_name("pairs.rejects.csv"))
    assert rejects["row"].tolist() == sorted(bad)
    for row, word in bad.items():
        assert word in rejects.loc[rejects.row == row, "reason"].item()
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == list(COLUMNS)
    matched = table["enterprise_id"].nunique()
    line = captured.out
    no_match = int(line.split(" matched, ")[1].split(" no match")[0].replace(",", ""))
    assert matched + no_match + len(bad) == 60  # every row accounted for
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp files


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_cli_batch_other_formats_hold_the_same_table(tmp_path: Path, suffix: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source, _ = _bad_csv(tmp_path)
    outs = {}
    for s in (".csv", suffix):
        out = tmp_path / f"pairs{s}"
        assert main(["batch", str(source), "-o", str(out), "--policies", str(MINI),
                     "--as-of", DAY.isoformat()]) == 0
        outs[s] = out
    capsys.readouterr()
    a = pd.read_csv(outs[".csv"], keep_default_na=False, dtype={"enterprise_id": str})
    b = pd.read_parquet(outs[suffix]) if suffix == ".parquet" else pd.read_json(
        outs[suffix], lines=True, dtype={"enterprise_id": str})
    assert len(a) == len(b)
    assert a["clause_id"].tolist() == b["clause_id"].tolist()
    assert a["enterprise_id"].tolist() == b["enterprise_id"].astype(str).tolist()
    assert np.allclose(a["score"], b["score"], atol=1e-12)


def test_cli_batch_unreadable_input_exits_1(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.csv"),
                 "--policies", str(MINI)]) == 1
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "in.xlsx").write_bytes(b"PK")
    assert main(["batch", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "o.csv"),
                 "--policies", str(MINI)]) == 1
    assert not (tmp_path / "o.csv").exists()


def test_count_records_for_progress(tmp_path: Path) -> None:
    path, _ = _bad_csv(tmp_path)
    assert count_records(path) == 61  # 60 records and one blank line: a close estimate
    assert count_records(str(path)) == 61
    assert count_records([1, 2, 3]) == 3
    assert count_records(iter([])) is None


# -- column validation equals profile_from_row ----------------------------------------------------
CELLS = st.one_of(
    st.none(), st.just(""), st.just("  "), st.booleans(), st.integers(-5, 10**7),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(["12", "007", "1.5", "-3", "1e3", "3500万", "1.2亿", "五百万", "abc", "是", "否",
                     "true", "False", "1", "0", "2020-02-29", "2019-02-29", "1899-12-31",
                     "2020-1-5", " 嵊州市", "嵊州市", "集成灶", "国高新、小巨人", "C3841", "c3841",
                     "Z9999", "3841", "91330683MA2JK3L5XH", "91330683MA2JK3L5XA",
                     "91330683ma2jk3l5xh", "x" * 101, "0.0712", "-0", "9" * 70, " 12", "2019", "2019年3月", "20190305",
                     "2019/03/05", "201903", "省科技型中小企业;国家高新技术企业", "无",
                     "1,200万", "1,200", "120人", "1,200名", "12,000,000", "1.2 亿", "3500万元"]),
    st.dates(min_value=date(1850, 1, 1), max_value=date(2150, 1, 1)),
    st.lists(st.sampled_from(["国高新", " 专精特新", "", "科小"]), max_size=3),
)
FIELDS = ["name", "id", "credit_code", "region", "industry", "industry_code", "description",
          "established", "employees", "revenue", "tax_paid", "revenue_growth", "office_area_sqm",
          "qualifications", "new_qualifications", "is_above_scale", "talents.phd",
          "extra.上规年数", "extra.亩均评价", "previous.tax_paid", "previous.employees",
          "previous.extra.网络零售额", "unknown_column"]


@pytest.mark.slow
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({f: CELLS for f in FIELDS}), min_size=1, max_size=6),
       st.booleans())
def test_certify_agrees_with_profile_from_row(rows: list[dict[str, Any]], text: bool) -> None:
    if text:  # a CSV: every cell is text
        rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
    columns = {f: [r[f] for r in rows] for f in FIELDS}
    keep = stored_fields(["age_years", "revenue", "employees", "qualifications", "is_above_scale",
                          "talents.phd", "extra.上规年数", "extra.亩均评价", "industry_section",
                          "region", "revenue_growth", "previous.tax_paid", "previous.employees",
                          "previous.extra.网络零售额"]) | {"name", "id", "credit_code", "industry",
                                                          "description", "new_qualifications"}
    ok, values = certify(columns, len(rows), keep, text_cells=text)
    for i, row in enumerate(rows):
        if not ok[i]:
            continue  # left to profile_from_row itself
        profile = profile_from_row(row)  # must not raise: certify said the row is valid
        for k in keep:
            want, got = profile_value(profile, k), values[k][i]
            if isinstance(values[k], np.ndarray):
                want = np.nan if want is None else float(want)
                assert (np.isnan(got) and np.isnan(want)) or got == want, (k, row)
            else:
                assert got == want and type(got) is type(want), (k, row)


def test_the_column_path_turns_off_when_the_model_reads_cells_otherwise(
        population: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """certify is keyed on behaviour, not on validator names: a profile model that reads a cell
    of a certified shape differently switches the column path off (probes), and so does a batch
    whose sampled rows read differently one by one."""
    import policymatch.batch.certify as certifying
    import policymatch.profile

    columns = {k: [r[k] for r in population] for k in generate.COLUMNS}
    real = policymatch.profile.profile_from_row

    def doubled(row: Any, **kw: Any) -> EnterpriseProfile:
        p = real(row, **kw)
        return p.model_copy(update={"revenue": None if p.revenue is None else 2 * p.revenue})

    monkeypatch.setattr(certifying, "_active", [])
    monkeypatch.setattr(policymatch.profile, "profile_from_row", doubled)
    assert not fast_path_active()
    ok, _ = certify(columns, len(population), {"revenue"})
    assert not ok.any()
    monkeypatch.setattr(certifying, "_active", [True])  # probes passed; the batch sample decides
    ok, _ = certify(columns, len(population), {"revenue"})
    assert not ok.any()
    monkeypatch.setattr(policymatch.profile, "profile_from_row", real)
    ok, _ = certify(columns, len(population), {"revenue"})
    assert ok.sum() > len(population) // 2


def test_generated_rows_take_the_column_path(population: list[dict[str, Any]]) -> None:
    assert fast_path_active()
    columns = {k: [r[k] for r in population] for k in generate.COLUMNS}
    ok, _ = certify(columns, len(population), {"revenue"})
    bad = {i for i, r in enumerate(population) if any(r.get(k) == v for k, v in generate._BAD_VALUES)}
    assert bad and {i for i in range(len(population)) if not ok[i]} <= bad


@pytest.mark.parametrize("sep", ["、", ";", "；", ",", "，", "\n"])
def test_list_cells_with_any_separator_take_the_column_path(
        bundled: Matcher, tmp_path: Path, sep: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Qualification lists joined by any separator the cell parser accepts are read column by
    column (no row goes one by one) and give the table of the profiles read one by one."""
    import csv

    import policymatch.profile as profile_module

    records = [{k: None if v == [] else v for k, v in r.items()}
               for r in generate.generate(120, seed=5, today=DAY)]
    assert sum(len(r["qualifications"] or ()) >= 2 for r in records) >= 10
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(generate.COLUMNS)
        for rec in records:
            writer.writerow([sep.join(rec[c]) if isinstance(rec[c], list)
                             else generate._csv_cell(rec[c]) for c in generate.COLUMNS])
    reference = rows_of(bundled.match_many([profile_from_row(r) for r in records], as_of=DAY))
    one_by_one: list[str] = []
    real = profile_module.profile_from_row

    def spy(record: Any, *args: Any, name: str | None = None, **kw: Any) -> Any:
        one_by_one.append(str(name))
        return real(record, *args, name=name, **kw)

    monkeypatch.setattr(profile_module, "profile_from_row", spy)
    rejects: list[tuple[int, str]] = []
    got = rows_of(bundled.match_many(path, as_of=DAY, rejects=rejects, chunk_size=50))
    assert rejects == []
    assert one_by_one and all(n == "row" for n in one_by_one)  # only the per-batch sample check
    assert_same(got, reference)
    assert got == reference


@settings(max_examples=300)
@given(st.one_of(st.floats(0, 1e13), st.integers(0, 10**9).map(lambda c: c / 100 + 0.005),
                 st.integers(0, 10**6).map(lambda c: c * 0.125)))
def test_round2_is_pythons_round(x: float) -> None:
    assert round2(np.array([x]))[0] == round(x, 2)


# -- tokens: rjieba (the fast engine) is jieba, token for token ----------------------------------
def test_rjieba_tokens_equal_jieba_on_the_corpus_and_a_population(tokenizer: Any,
                                                                   bundled: Matcher) -> None:
    pytest.importorskip("rjieba")
    from policymatch.text import Tokenizer

    texts = [clause_document(p, c) for p, c in bundled.pairs_]
    texts += [" ".join(x for x in (r["industry"], r["description"]) if x)
              for r in generate.generate(400, seed=9, today=DAY)]
    fast = Tokenizer(cache_dir=tokenizer.cache_dir, engine="rjieba")
    assert fast.tokenize_many(texts) == tokenizer.tokenize_many(texts)


def test_scale_class_by_bounds_equals_one_by_one() -> None:
    from policymatch.batch.columns import Columns
    from policymatch.profile.scale import scale_class

    rng = random.Random(3)
    codes = ["C3841", "F5123", "F5292", "I6513", "I6311", "E4710", "K7010", "K7020", "L7212",
             "A0141", "G5910", "G6010", "H6110", "O8011", None]
    bounds = [50, 100, 300, 500, 1000, 2000, 5000, 10000, 20000, 40000, 80000, 200000]
    n = 20_000
    data = {
        "industry_code": [rng.choice(codes) for _ in range(n)],
        "employees": [rng.choice([None, rng.randint(0, 3000), rng.choice([5, 10, 20, 50, 100, 200,
                                                                           300, 1000, 2000])])
                      for _ in range(n)],
        "revenue": [rng.choice([None, rng.random() * 1e10, rng.choice(bounds) * 1e4,
                                rng.choice(bounds) * 1e4 - 1]) for _ in range(n)],
    }
    got = Columns.from_values(data, n, DAY).objects("scale_class").tolist()
    assert got == [scale_class(c, e, r) for c, e, r in zip(*data.values(), strict=True)]


# -- relevance: pieces of text give the index's own query rows, bit for bit ------------------------
TEXT = st.text(alphabet=st.sampled_from(list(
    "研发費用發展专精特新小巨人國家高新技術企業电机集成灶领带服装数控机床ＡＢＣａｂ１２３abc12"
    "、；，。（）：;,():  \u3000\t·-—《》「」!？%+#&._")), max_size=40)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_query_rows_equal_the_index_transform(bundled: Matcher, texts: list[str]) -> None:
    from policymatch.batch import Plan

    plan = Plan(bundled, as_of=DAY)
    got = plan.relevance.queries(texts).toarray()
    want = bundled.index_.transform(texts).toarray()
    assert np.array_equal(got, want)


def test_query_rows_on_the_corpus_and_a_population(bundled: Matcher) -> None:
    from policymatch.batch import Plan
    from policymatch.matcher import profile_query

    texts = [clause_document(p, c) for p, c in bundled.pairs_]
    texts += [profile_query(profile_from_row(r)) for r in generate.generate(300, seed=8, today=DAY)
              if r["name"]]
    plan = Plan(bundled, as_of=DAY)
    assert np.array_equal(plan.relevance.queries(texts).toarray(),
                          bundled.index_.transform(texts).toarray())


def test_the_whitespace_list_is_pythons() -> None:
    from policymatch.batch.columnar import PY_SPACE

    assert PY_SPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


# -- founding dates known to the year or month: ranges of ages ------------------------------------
def test_founding_years_and_months_equal_match(bundled: Matcher) -> None:
    forms = [f"{y}" for y in range(2014, DAY.year + 2)] + [
        f"{y}年{m}月" for y in (2020, 2021, 2022) for m in (1, 6, 7, 12)] + ["2022-06-30", "2025-07"]
    profiles = [EnterpriseProfile(name=f"企业{k}", id=f"F{k}", region="嵊州市", established=e,
                                  revenue="3000万", is_above_scale=True)
                for k, e in enumerate(forms)]
    want, refused = expected(bundled, profiles)
    rejects: list[tuple[int, str]] = []
    got = bundled.match_many(profiles, as_of=DAY, rejects=rejects, chunk_size=7)
    assert refused == {forms.index(f"{DAY.year + 1}") + 1, forms.index("2025-07") + 1}
    assert {r for r, _ in rejects} == refused
    assert all("after the day of judgement" in why for _, why in rejects)
    assert_same(rows_of(got), want)
    # a range that straddles an age threshold leaves the clause possible with age_years missing
    ages = [m for m in bundled.match(profiles[forms.index("2022")], as_of=DAY).matches
            if "age_years" in m.missing]
    assert ages and all(m.status.value == "possible" for m in ages)


def test_unrecognised_names_equal_match(bundled: Matcher) -> None:
    """A name the alias table does not know leaves qualification and industry tests unknown,
    the same in both paths, with the field named as missing."""
    base = {"region": "嵊州市", "credit_clean": True, "safety_incident_free": True}
    profiles = [EnterpriseProfile(name=f"企业{k}", id=f"U{k}", **base, **extra)
                for k, extra in enumerate([
                    {"qualifications": ["绿色工厂"]}, {"qualifications": ["国高新", "绿色工厂"]},
                    {"new_qualifications": ["专精特新示范企业"]}, {"industry": "纺织品"},
                    {"qualifications": "无"}, {"qualifications": "省科技型中小企业;国家高新技术企业"},
                    {"industry": "领带", "qualifications": ["某县自定义荣誉", "小巨人"]}])]
    want, refused = expected(bundled, profiles)
    got = bundled.match_many(profiles, as_of=DAY)
    assert not refused
    assert_same(rows_of(got), want)
    assert any(w[0] == "U0" and "qualifications" in w[7].split(";") for w in want)
