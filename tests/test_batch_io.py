"""Batch input and output under hostile files: nothing lost, nothing replaced, nothing obeyed.

Reading: each bad line is one reject with its line number (encodings, quotes, long lines, huge
cells, deep JSON), rows are records, repeated columns and keys are refused. Writing: output and
rejects appear together or not at all, temporary files do not outlive the run, modes follow the
umask, spreadsheet formulas are defused.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from policymatch import Matcher, load_policies
from policymatch.batch import run_batch
from policymatch.batch.io import TableWriter, commit_all, read_chunks, remove_stale_temporaries
from policymatch.batch.lines import MAX_LINE_BYTES, detect_encoding
from policymatch.cli import main

MINI = Path(__file__).parent / "data" / "mini.yaml"
AS_OF = date(2025, 6, 1)  # mini.yaml is in force in 2025


def rows_and_rejects(path: Path, **kw: Any) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, str]]:
    good: list[tuple[int, dict[str, Any]]] = []
    bad: dict[int, str] = {}
    for chunk in read_chunks(path, 1000, **kw):
        good += [(row, chunk.record(i)) for i, row in enumerate(chunk.rows)]
        bad.update(chunk.bad)
    return good, bad


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- CSV: quotes, blank lines, row numbers ---------------------------------------------------------
@pytest.mark.parametrize(("body", "names", "rejected_lines"), [
    (b'name,region\nA,x\nB,"open\nC,y\n', ["A", "C"], [3]),  # the case: 3 records, not 2
    (b'name,region\nB,"open\nC,y\nD,z\n', ["C", "D"], [2]),
    (b'name,region\n"A,x\nB,y\n', ["B"], [2]),
    (b'name,region\nA,"x"y\nB,z\n', ["B"], [2]),  # text after a closing quote
    (b'name,region\nA,"x\ny"\nB,z\n', ["A", "B"], []),  # a quoted newline is fine
    (b'name,region\nA,"a,""b"""\nB,z\n', ["A", "B"], []),
    (b'name,region\nA,x\nB,"x\nC,"y\nD,w\n', ["A", "D"], [3]),
])
def test_an_unterminated_quote_swallows_nothing(tmp_path: Path, body: bytes, names: list[str],
                                                 rejected_lines: list[int]) -> None:
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", body))
    assert [r["name"] for _, r in good] == names
    lines = sorted(int(reason.split()[1].rstrip(":")) for reason in bad.values())
    assert lines[: len(rejected_lines)] == rejected_lines
    assert all("line" in reason for reason in bad.values())


@pytest.mark.parametrize("body", [
    b"\n\nname,region\nA,x\nB,y\n",
    b"name,region\n\nA,x\n\n\nB,y\n",
    b"name,region\r\n\r\nA,x\r\nB,y\r\n\r\n",
    b"\xef\xbb\xbfname,region\n\nA,x\nB,y\n",
])
def test_blank_lines_do_not_shift_row_numbers(tmp_path: Path, body: bytes) -> None:
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", body))
    assert [(row, r["name"]) for row, r in good] == [(1, "A"), (2, "B")] and not bad
    assert list(good[0][1]) == ["name", "region"]  # the BOM is not part of the first column


def test_a_reject_names_its_physical_line(tmp_path: Path) -> None:
    _, bad = rows_and_rejects(write(tmp_path / "t.csv", b"name,region\n\n\nA,x,extra\n"))
    assert bad == {1: "line 4: 3 fields, the header has 2; quote values that contain commas"}


@pytest.mark.parametrize("header", [b"region,region", b"region, region", b" name ,name",
                                    b"talents,talents.phd", b"talents.phd,talents",
                                    b"extra,extra.a"])
def test_a_repeated_column_is_refused(tmp_path: Path, header: bytes) -> None:
    path = write(tmp_path / "t.csv", header + b"\nA,1\n")
    with pytest.raises(ValueError, match="keep one"):
        rows_and_rejects(path)


def test_a_repeated_dataframe_or_parquet_column_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame([["A", "x", "y"]], columns=["name", "region", "region"])
    with pytest.raises(ValueError, match="'region' appears twice"):
        list(read_chunks(frame))
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array(["A"]), pa.array(["x"]), pa.array(["y"])],
                                 names=["name", "region", "region"])
    pq.write_table(table, tmp_path / "t.parquet")
    with pytest.raises(ValueError, match="'region' appears twice"):
        list(read_chunks(tmp_path / "t.parquet"))


def test_a_huge_cell_and_a_huge_line_are_one_reject_each(tmp_path: Path) -> None:
    body = (b"name,region\nA,x\nB," + b"y" * 140_000 + b"\nC," + b"z" * (MAX_LINE_BYTES + 10)
            + b"\nD,w\n")
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", body))
    assert [r["name"] for _, r in good] == ["A", "D"]
    assert "131,072 characters" in bad[2] and "line 3" in bad[2]
    assert "longer than 1,000,000 bytes" in bad[3] and "line 4" in bad[3]


def test_a_quote_never_closed_in_a_long_file_is_bounded(tmp_path: Path) -> None:
    lines = b"".join(b"N%d,x\n" % i for i in range(60_000))  # > MAX_LINE_BYTES after the quote
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", b'name,region\nA,"open\n' + lines))
    assert len(good) == 60_000 and list(bad) == [1]


# -- encodings: one bad line is one reject, a whole GB18030 file is read ---------------------------
def test_one_gbk_line_in_a_utf8_file_is_one_reject(tmp_path: Path) -> None:
    body = "name,region\n甲,嵊州市\n".encode() + "乙,嵊州市\n".encode("gbk") + "丙,x\n".encode()
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", body))
    assert [r["name"] for _, r in good] == ["甲", "丙"]
    assert "line 3: not UTF-8 text" in bad[2] and "--encoding gb18030" in bad[2]


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "gb2312"])
def test_a_whole_gb_file_is_read(tmp_path: Path, codec: str) -> None:
    body = "name,region\n测试公司,嵊州市\n另一家,新昌县\n".encode(codec)
    path = write(tmp_path / "t.csv", body)
    assert detect_encoding(path) == "gb18030"
    good, bad = rows_and_rejects(path)
    assert [(r["name"], r["region"]) for _, r in good] == [("测试公司", "嵊州市"), ("另一家", "新昌县")]
    assert not bad


def test_encoding_can_be_given_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "name\n测试\n".encode("gbk"))
    good, _ = rows_and_rejects(path, encoding="GBK")
    assert good[0][1]["name"] == "测试"
    with pytest.raises(ValueError, match="--encoding 'latin-1'"):
        rows_and_rejects(path, encoding="latin-1")
    good, bad = rows_and_rejects(path, encoding="utf-8")
    assert not good and "not UTF-8" in bad[1]


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_bom_files_are_read(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path / "t.csv", "name,region\n甲,嵊州市\n".encode(codec))
    good, bad = rows_and_rejects(path)
    assert [(r["name"], r["region"]) for _, r in good] == [("甲", "嵊州市")] and not bad


def test_a_utf16_line_in_a_utf8_file_is_one_reject(tmp_path: Path) -> None:
    body = b"name,region\nA,x\n" + "B,y".encode("utf-16-le") + b"\nC,z\n"
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", body))
    assert [r["name"] for _, r in good] == ["A", "C"] and "NUL bytes" in bad[2]


def test_jsonl_lines_in_other_encodings_are_rejects(tmp_path: Path) -> None:
    body = ('{"name": "甲"}\n'.encode() + '{"name": "乙"}\n'.encode("gbk")
            + '{"name": "丙"}\n'.encode())
    good, bad = rows_and_rejects(write(tmp_path / "t.jsonl", body))
    assert [r["name"] for _, r in good] == ["甲", "丙"] and "line 2" in bad[2]


# -- JSON Lines: repeated keys, depth, huge numbers --------------------------------------------------
@pytest.mark.parametrize(("line", "reason"), [
    ('{"name": "A", "region": "x", "region": "y"}', "key 'region' appears twice"),
    ('{"name": "A", "talents": {"phd": 1, "phd": 2}}', "key 'phd' appears twice"),
    ('{"name": "A", "talents": {"phd": 1}, "talents.phd": 2}', "both give talents.phd"),
    ('{"name": "A", "n": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"name": "A", "employees": ' + "9" * 5000 + "}", "not a readable JSON value"),
    ('{"name": "A", "employees": 1', "not valid JSON"),
    ('["A"]', "expected a JSON object"),
])
def test_bad_json_lines_are_rejects_with_their_line(tmp_path: Path, line: str, reason: str) -> None:
    body = f'{{"name": "first"}}\n\n{line}\n{{"name": "last"}}\n'.encode()
    good, bad = rows_and_rejects(write(tmp_path / "t.jsonl", body))
    assert [r["name"] for _, r in good] == ["first", "last"]
    assert reason in bad[2] and bad[2].startswith("line 3:") and len(bad[2]) < 300


# -- files that are not files ---------------------------------------------------------------------
def test_folders_fifos_and_devices_are_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        list(read_chunks(tmp_path / "d.csv"))
    os.mkfifo(tmp_path / "f.csv")
    with pytest.raises(ValueError, match="not a regular file"):
        list(read_chunks(tmp_path / "f.csv"))
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(read_chunks(tmp_path / "missing.csv"))


# -- writing: both files or neither, no leftovers, modes -------------------------------------------
@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


def _results(matcher: Matcher, tmp_path: Path) -> Any:
    from policymatch.batch import iter_match_many

    source = write(tmp_path / "in.csv", "name,region\n甲,测试县\n乙,x,y\n".encode())
    return iter_match_many(matcher, source, as_of=AS_OF)


def test_an_unwritable_rejects_file_leaves_the_output_untouched(matcher: Matcher,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    (tmp_path / "out.rejects.csv").mkdir()
    with pytest.raises(IsADirectoryError):
        run_batch(_results(matcher, tmp_path), out)
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv", "out.rejects.csv"]


def test_a_failed_second_rename_puts_the_first_back(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = TableWriter(tmp_path / "a.csv"), TableWriter(tmp_path / "b.csv")
    (tmp_path / "a.csv").write_text("old a\n")
    for w in (first, second):
        w.write(pd.DataFrame({"x": [1]}))
    real = os.replace

    def flaky(src: Any, dst: Any) -> None:
        if str(dst).endswith("b.csv"):
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        commit_all([first, second])
    monkeypatch.setattr(os, "replace", real)
    assert (tmp_path / "a.csv").read_text() == "old a\n" and not (tmp_path / "b.csv").exists()
    second.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_killed_run_leaves_temporaries_that_the_next_run_removes(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(child.stdout)  # a process that has ended: its pid is free
    stale = tmp_path / f".out.csv.{dead}-abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    mine = tmp_path / f".out.csv.{os.getpid()}-def456.tmp"
    mine.write_bytes(b"y")
    other = tmp_path / ".other.csv.1-zz.tmp"
    other.write_bytes(b"z")
    remove_stale_temporaries(target)
    assert not stale.exists() and mine.exists() and other.exists()


def test_sigterm_during_a_batch_removes_its_temporaries(tmp_path: Path) -> None:
    script = (
        "import signal, sys, os\n"
        "from policymatch.batch.io import TableWriter\n"
        "from policymatch.cli.commands import _terminate_cleanly\n"
        "_terminate_cleanly()\n"
        "w = TableWriter(__import__('pathlib').Path(sys.argv[1]))\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "except BaseException:\n"
        "    w.abort()\n"
        "    raise\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "o.csv")],
                          capture_output=True, text=True)
    assert done.returncode == 128 + 15
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_outputs_follow_the_umask(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        w = TableWriter(tmp_path / "new.csv")
        w.write(pd.DataFrame({"x": [1]}))
        w.commit()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o666 & ~mask


def test_a_replaced_output_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_text("x\n")
    target.chmod(0o644)
    w = TableWriter(target)
    w.write(pd.DataFrame({"x": [1]}))
    w.commit()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and "1" in target.read_text()


def test_policy_files_written_follow_the_umask(tmp_path: Path) -> None:
    from policymatch.files import atomic_write_text

    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "p.yaml", "id: x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.yaml").stat().st_mode) == 0o640


# -- formula injection ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_csv_output_defuses_spreadsheet_formulas(matcher: Matcher, tmp_path: Path,
                                                  name: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"name": name, "region": "测试县", "id": name}) + "\n")
    out = tmp_path / "out.csv"
    from policymatch.batch import iter_match_many

    run_batch(iter_match_many(matcher, source, as_of=AS_OF), out)
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    shown = "'" + name.strip()  # the profile strips the tab or CR; the rest still starts with =
    assert set(table["name"]) == {shown} and set(table["enterprise_id"]) == {shown}
    assert table["score"].map(lambda s: not s.startswith("'")).all()


def test_jsonl_and_parquet_output_keep_text_as_given(matcher: Matcher, tmp_path: Path) -> None:
    from policymatch.batch import iter_match_many

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"name": "=1+1", "region": "测试县"}) + "\n")
    run_batch(iter_match_many(matcher, source, as_of=AS_OF), tmp_path / "o.parquet")
    assert set(pd.read_parquet(tmp_path / "o.parquet")["name"]) == {"=1+1"}


def test_parquet_output_keeps_categorical_columns_as_dictionaries(matcher: Matcher,
                                                                   tmp_path: Path) -> None:
    """Parquet keeps clause_id, status, policy … as dictionary columns over chunks whose
    categories differ, and holds the same table as the CSV output."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from policymatch.batch import iter_match_many

    source = tmp_path / "in.jsonl"
    rows = [{"name": f"企业{i}", "id": f"E{i}", "region": "测试县", "employees": 10 * i,
             "revenue": 1e6 * i} for i in range(1, 40)]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    outs = {}
    for suffix in (".parquet", ".csv"):
        outs[suffix] = tmp_path / f"o{suffix}"
        run_batch(iter_match_many(matcher, source, as_of=AS_OF, chunk_size=7), outs[suffix])
    table = pq.read_table(outs[".parquet"])
    csv_table = pd.read_csv(outs[".csv"], dtype=str, keep_default_na=False)
    assert table.num_rows == len(csv_table) > 0
    frame = pd.read_csv(outs[".csv"], nrows=1)
    categorical = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    assert {"enterprise_id", "name", "clause_id", "status", "recipient", "missing"} <= set(
        categorical)
    for name in frame.columns:
        column = table.column(name)
        if name in categorical:
            assert column.type == pa.dictionary(pa.int32(), pa.string())
            assert column.num_chunks > 1  # one per written chunk, each with its own dictionary
            cells = ["" if v is None else v for v in column.to_pylist()]
            assert cells == csv_table[name].tolist(), name


# -- the command ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["output is input", "rejects is input", "same file by another path"])
def test_batch_refuses_to_overwrite_its_input(tmp_path: Path, case: str,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POLICYMATCH_NO_CACHE", "1")
    data = "name,region\n甲,测试县\n".encode()
    source = write(tmp_path / ("in.rejects.csv" if case == "rejects is input" else "in.csv"), data)
    out = {"output is input": str(source), "rejects is input": str(tmp_path / "in.csv"),
           "same file by another path": str(tmp_path / "sub" / ".." / "in.csv")}[case]
    (tmp_path / "sub").mkdir()
    assert main(["batch", str(source), "-o", out, "--policies", str(MINI)]) == 1
    err = capsys.readouterr().err
    assert "would replace the input" in err and err.count("\n") == 1
    assert source.read_bytes() == data


@pytest.mark.parametrize("workers", ["0", "-1", "257", "100000"])
def test_batch_workers_are_bounded(tmp_path: Path, workers: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POLICYMATCH_NO_CACHE", "1")
    source = write(tmp_path / "in.csv", b"name\nA\n")
    assert main(["batch", str(source), "-o", str(tmp_path / "o.csv"), "--workers", workers]) == 1
    assert "--workers takes a whole number from 1 to 256" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


# -- the same checks on Dask ------------------------------------------------------------------------
def test_dask_refuses_a_repeated_column_and_reads_gbk(matcher: Matcher, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from policymatch.batch.distributed import match_dask

    dup = write(tmp_path / "dup.csv", b"name,region,region\nA,x,y\n")
    with pytest.raises(ValueError, match="'region' appears twice"):
        list(match_dask(matcher, dup, as_of=AS_OF))
    gbk = write(tmp_path / "gbk.csv", "name,region,credit_clean\n甲,测试县,true\n".encode("gbk"))
    dask_table = pd.concat([r.table for r in match_dask(matcher, gbk, as_of=AS_OF)])
    one = matcher.match_many(gbk, as_of=AS_OF)
    assert sorted(map(str, dask_table["clause_id"])) == sorted(map(str, one["clause_id"]))
    assert len(one) > 0 and set(map(str, one["name"])) == {"甲"}
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(IsADirectoryError):
        list(match_dask(matcher, tmp_path / "folder.csv", as_of=AS_OF))


@pytest.mark.parametrize("row", [
    {"name": "A", "region": "x", " region": "y"},
    {"name": "A", "talents": {"phd": 1}, "talents.phd": 2},
    {"name": "A", "talents.phd": 2, "talents": {"phd": 1}},
    {"name": "A", "extra.k": 1, "extra.k ": 2},
])
def test_a_row_giving_one_field_twice_is_refused(row: dict[str, Any]) -> None:
    from policymatch.errors import ProfileError
    from policymatch.profile import profile_from_row

    with pytest.raises(ProfileError, match="give the same field twice; keep one"):
        profile_from_row(row)


def test_lines_are_numbered_across_read_blocks(tmp_path: Path) -> None:
    rows = [f"企业{i:06d},嵊州市\r\n".encode() for i in range(60_000)]  # about 1.3 MiB
    rows[45_000] = "坏行,嵊州市\r\n".encode("gbk")
    rows[50_000] = b'"quote,open\r\n'
    good, bad = rows_and_rejects(write(tmp_path / "t.csv", b"name,region\r\n" + b"".join(rows)))
    assert len(good) == 59_998 and sorted(bad) == [45_001, 50_001]
    assert bad[45_001].startswith("line 45002: not UTF-8") and "line 50002" in bad[50_001]
    assert good[-1] == (60_000, {"name": "企业059999", "region": "嵊州市"})
