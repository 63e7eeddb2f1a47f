"""Excel in and out of ``policymatch batch``, and column headers as people write them.

Every data row of a sheet is matched or a reject naming sheet, cell and fix; rows are numbered as
Excel shows them; a workbook that is too large or unpacks too far is refused before it is read;
text written to a workbook is never a formula; Chinese headers name fields (CSV too).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from policymatch import Matcher, load_policies  # noqa: E402
from policymatch.batch import excel as _excel  # noqa: E402
from policymatch.batch import read_chunks  # noqa: E402
from policymatch.batch.excel import ExcelSheet  # noqa: E402
from policymatch.batch.headers import header_names, resolve_header  # noqa: E402
from policymatch.cli import main  # noqa: E402

MINI = Path(__file__).parent / "data" / "mini.yaml"
AS_OF = "2025-06-01"
HEADER = ["编号", "企业名称", "所在地区", "信用良好", "当年新获资质", "营业收入", "从业人数", "成立日期",
          "extra.亩均评价"]
GOOD = [
    ["E1", "甲公司", "测试县", "是", "国高新", 150_000_000, 120, dt.date(2015, 3, 1), "A"],
    ["E2", "乙公司", "测试县", "是", None, "1.2亿", 30, dt.date(2024, 1, 9), None],
    ["E3", "丙公司", "测试县", True, "小巨人", 2_000_000.5, None, None, "B"],
    ["E4", "=cmd|' /C calc'!A0", "测试县", "是", "国高新", None, 8, None, "-1"],
]


@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


def workbook(path: Path, rows: list[list[Any]], *, title: str = "企业", header: list[str] = HEADER,
             before: int = 0, extra_sheets: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    for _ in range(before):
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("=cmd"):
                cell.data_type = "s"  # text that looks like a formula, as a clerk may type it
    for name in extra_sheets:
        book.create_sheet(name).append(["name"])
    book.save(path)
    return path


def shared_strings(path: Path, replace: dict[str, str] | None = None) -> Path:
    """``path`` rewritten as Excel saves text: in xl/sharedStrings.xml, cells pointing into it
    (openpyxl writes inline strings). ``replace`` swaps texts on the way."""
    import html
    import re
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    strings: list[str] = []

    def shared(m: re.Match[bytes]) -> bytes:
        text = html.unescape(m.group(2).decode())
        strings.append((replace or {}).get(text, text))
        return m.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>',
                          shared, parts[sheet])
    assert b"inlineStr" not in parts[sheet] and strings
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(t)}</t></si>" for t in strings) + "</sst>").encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def read(source: Any) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, str]]:
    good: list[tuple[int, dict[str, Any]]] = []
    bad: dict[int, str] = {}
    for chunk in read_chunks(source, 2):
        good += [(row, chunk.record(i)) for i, row in enumerate(chunk.rows)]
        bad.update(chunk.bad)
    return good, bad


# -- reading ---------------------------------------------------------------------------------------
def test_a_sheet_reads_as_a_csv_of_the_same_facts_does(tmp_path: Path, matcher: Matcher) -> None:
    book = workbook(tmp_path / "firms.xlsx", GOOD)
    csv = tmp_path / "firms.csv"
    text = pd.DataFrame(GOOD, columns=HEADER).astype(object).where(lambda f: f.notna(), "")
    text["信用良好"] = text["信用良好"].replace({True: "是"})
    text.to_csv(csv, index=False)
    from_book = matcher.match_many(book, as_of=dt.date(2025, 6, 1))
    from_csv = matcher.match_many(csv, as_of=dt.date(2025, 6, 1))
    assert len(from_book) > 0 and (from_book["status"] == "eligible").any()
    pd.testing.assert_frame_equal(from_book, from_csv)
    cells = {r["id"]: r for _, r in read(book)[0]}
    assert cells["E1"]["revenue"] == 150_000_000 and cells["E1"]["established"] == dt.date(2015, 3, 1)
    assert cells["E2"]["revenue"] == "1.2亿"  # text goes through the profile's own reading
    assert cells["E3"]["credit_clean"] is True and cells["E3"]["employees"] is None


def test_rows_are_numbered_as_excel_shows_them_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    rows = [GOOD[0], [], [None, "  "], GOOD[1], ["E9", "丁", "测试县", "是", None, "=A1*2"]]
    good, bad = read(workbook(tmp_path / "w.xlsx", rows, before=2))
    assert [row for row, _ in good] == [4, 7]  # header on row 3, blank rows 5 and 6
    assert list(bad) == [8]
    assert bad[8].startswith("sheet '企业' row 8: cell F8 (营业收入 = revenue) holds a formula (=A1*2); "
                             "paste the values")


def test_inline_text_reads_as_shared_text(tmp_path: Path) -> None:
    shared = shared_strings(workbook(tmp_path / "shared.xlsx", GOOD[:3]))
    book = openpyxl.Workbook(write_only=True)  # text as inline strings, as exporters write it
    ws = book.create_sheet("企业")
    for row in [HEADER, *GOOD[:3]]:
        ws.append(row)
    book.save(tmp_path / "inline.xlsx")
    with zipfile.ZipFile(tmp_path / "inline.xlsx") as archive:
        assert b't="inlineStr"' in archive.read("xl/worksheets/sheet1.xml")
    inline = read(tmp_path / "inline.xlsx")
    assert inline[0] and inline == read(shared)


@pytest.mark.parametrize(("cell", "expected"), [
    ("=SUM(A1:A3)", "cell F3 (营业收入 = revenue) holds a formula"),
    (dt.date(2020, 1, 1), "cell F3 (营业收入 = revenue) holds a date (2020-01-01 00:00:00) where "
                          "revenue is expected"),
    (dt.time(9, 30), "cell F3 (营业收入 = revenue) holds a time"),
])
def test_a_cell_that_is_not_a_value_of_its_column_is_a_reject(tmp_path: Path, cell: Any,
                                                              expected: str) -> None:
    good, bad = read(workbook(tmp_path / "w.xlsx", [GOOD[0], ["E2", "乙", "测试县", "是", None, cell]]))
    assert [row for row, _ in good] == [2]
    assert expected in bad[3]


def test_a_cell_longer_than_excel_allows_is_a_reject(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0], ["E2", "乙", "测试县", "是", None, "PLACEHOLDER"]])
    # openpyxl itself cuts text at 32,767 characters
    good, bad = read(shared_strings(path, {"PLACEHOLDER": "1" * 32_768}))
    assert [row for row, _ in good] == [2]
    assert "cell F3 (营业收入 = revenue) holds 32,768 characters, more than a cell of Excel holds" in bad[3]


def test_an_error_cell_a_merged_range_and_a_value_without_header_are_rejects(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0], GOOD[1], GOOD[2], GOOD[3]])
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws["F2"] = "#DIV/0!"
    ws["F2"].data_type = "e"
    ws.merge_cells("C3:C4")
    ws["K5"] = "stray"
    book.save(path)
    good, bad = read(path)
    assert good == []
    assert "cell F2 (营业收入 = revenue) holds the error #DIV/0!" in bad[2]
    assert "cells C3:C4 are merged" in bad[3] and "cells C3:C4 are merged" in bad[4]
    assert "cell K5 has a value but its column has no header" in bad[5]


def test_a_date_cell_is_a_date_for_established(tmp_path: Path) -> None:
    good, bad = read(workbook(tmp_path / "w.xlsx", [
        ["E1", "甲", "测试县", "是", None, 1, 1, dt.datetime(2015, 3, 1)],
        ["E2", "乙", "测试县", "是", None, 1, 1, dt.datetime(2015, 3, 1, 10, 30)],
        ["E3", "丙", "测试县", "是", None, 1, 1, "2015年3月"]]))
    assert [(row, r["established"]) for row, r in good] == [(2, dt.date(2015, 3, 1)), (4, "2015年3月")]
    assert "time of day" in bad[3]


def test_the_sheet_is_chosen_by_name_and_an_unknown_one_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0]], extra_sheets=("2025年",))
    assert [r["id"] for _, r in read(path)[0]] == ["E1"]  # the first sheet by default
    assert read(ExcelSheet(path, "2025年")) == ([], {})
    with pytest.raises(ValueError, match=r"no sheet '2024'; the workbook has '企业', '2025年'; name one"):
        read(ExcelSheet(path, "2024"))


@pytest.mark.parametrize(("header", "message"), [
    (["企业名称", "营收额"], r"column '营收额' is not a profile field; rename it \(closest: .*'营收' "
                           r"\(revenue\).*or name it 'extra.营收额'"),
    (["企业名称", "面积"], r"column '面积' may be any of office_area_sqm, land_area_mu"),
    (["企业名称", "营业收入", "revenue"], r"columns '营业收入' and 'revenue' both give revenue"),
    (["企业名称", "营业收入（万元）"], r"gives revenue in 万元, which is not read"),
    (["企业名称", "企业名称"], r"column '企业名称' appears twice"),
])
def test_a_header_that_names_no_field_or_two_stops_the_run(tmp_path: Path, header: list[str],
                                                           message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read(workbook(tmp_path / "w.xlsx", [["甲", 1]], header=header))
    csv = tmp_path / "w.csv"
    csv.write_text(",".join(header) + "\n甲,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read(csv)


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_merged_ranges_are_found_whatever_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     block: int) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0]] * 30)
    book = openpyxl.load_workbook(path)
    ranges = [f"C{r}:C{r + 1}" for r in range(2, 30, 3)] + ["A31:B31"]
    for ref in ranges:
        book.active.merge_cells(ref)
    book.save(path)
    monkeypatch.setattr(_excel, "_SCAN_BLOCK", block)
    with zipfile.ZipFile(path) as archive:
        found = _excel._merged(archive, "xl/worksheets/sheet1.xml")
    assert len(found) == len(ranges) and (31, 31, 1, 2) in found and (2, 3, 3, 3) in found


def test_a_merged_header_stops_the_run(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0]])
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A1:B1")
    book.save(path)
    with pytest.raises(ValueError, match=r"sheet '企业': the header \(row 1\) has merged cells A1:B1"):
        read(path)


def test_chinese_headers_name_fields_in_a_csv_too(tmp_path: Path) -> None:
    csv = tmp_path / "w.csv"
    csv.write_text("企业名称,统一社会信用代码,营业收入,税收,员工人数,所属行业,区域,资质,研发费用,extra.亩均评价\n"
                   "甲,91330683MA2JK3L5XH,3500万,12万,120,集成灶,嵊州市,国高新,1,A\n", encoding="utf-8")
    (_, record), = read(csv)[0]
    assert list(record) == ["name", "credit_code", "revenue", "tax_paid", "employees", "industry",
                            "region", "qualifications", "rd_expense", "extra.亩均评价"]


def test_the_header_table_names_only_fields_the_profile_has() -> None:
    from policymatch.profile import EnterpriseProfile

    known, ambiguous = header_names()
    fields = set(EnterpriseProfile.model_fields)
    for path in set(known.values()) | {p for ps in ambiguous.values() for p in ps}:
        assert path.partition(".")[0] in fields, path
    for spelling in ["企业名称", "统一社会信用代码", "营业收入", "纳税额", "税收", "研发费用", "从业人数",
                     "员工人数", "所属行业", "所在地区", "区域", "资质"]:
        assert spelling in known, spelling
    assert resolve_header("t", ["talents.新引进全职博士", "previous.营业收入", "extra.上规年数", "talents.master"]) == [
        "talents.phd", "previous.revenue", "extra.上规年数", "talents.master"]


# -- refused before reading ------------------------------------------------------------------------
def _no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(_excel, "_open_book", refuse)


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)  # 30 MB in ~30 KB
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(_excel, "MAX_XLSX_UNPACKED_BYTES", 20_000_000)
    _no_parse(monkeypatch)
    with pytest.raises(ValueError, match=r"bomb.xlsx: unpacks to 30,000,011 bytes, over the "
                                         r"20,000,000-byte limit"):
        read(path)


def test_a_large_file_and_a_file_that_is_not_a_workbook_are_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "w.xlsx", [GOOD[0]])
    monkeypatch.setattr(_excel, "MAX_XLSX_BYTES", path.stat().st_size - 1)
    _no_parse(monkeypatch)
    with pytest.raises(ValueError, match=r"w.xlsx: .* bytes is over the .*-byte limit for one .xlsx"):
        read(path)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("name\n甲\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fake.xlsx: not a readable .xlsx workbook"):
        read(fake)


def test_a_damaged_sheet_fails_the_run_naming_it(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", GOOD[:2])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[:len(sheet) * 2 // 3]  # cut off mid-way
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=r"w.xlsx, sheet '企业': the sheet is damaged"):
        read(path)


# -- writing ---------------------------------------------------------------------------------------
def test_the_payout_list_as_a_workbook_holds_text_never_formulas(tmp_path: Path) -> None:
    book = workbook(tmp_path / "firms.xlsx", GOOD)
    out = tmp_path / "payout.xlsx"
    assert main(["batch", str(book), "-o", str(out), "--policies", str(MINI), "--eligible-only",
                 "--as-of", AS_OF]) == 0
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("enterprise_id", "name", "clause_id", "status", "score", "amount", "counted",
                       "recipient", "missing")
    by_firm = {(r[0], r[2]): r for r in rows[1:]}
    assert by_firm["E4", "mini-gx"][1] == "=cmd|' /C calc'!A0"  # kept whole, as text
    assert by_firm["E1", "mini-gx"][5] == 200_000 and by_firm["E1", "mini-gx"][7] == "企业"
    assert {r[3] for r in rows[1:]} == {"eligible"}
    expected = pd.read_csv(tmp_path / "payout.rejects.csv")
    assert expected.empty
    again = tmp_path / "again.csv"
    assert main(["batch", str(book), "-o", str(again), "--policies", str(MINI), "--eligible-only",
                 "--as-of", AS_OF]) == 0
    assert len(pd.read_csv(again)) == len(rows) - 1


def test_a_table_longer_than_a_sheet_fails_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(tmp_path / "firms.xlsx", GOOD)
    monkeypatch.setattr(_excel, "MAX_XLSX_ROWS", 3)
    out = tmp_path / "long.xlsx"
    assert main(["batch", str(book), "-o", str(out), "--policies", str(MINI), "--as-of", AS_OF]) == 1
    assert "more than 2 rows do not fit one sheet; write .csv or .parquet" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["firms.xlsx"]


def test_the_output_never_replaces_the_workbook_read(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(tmp_path / "firms.xlsx", GOOD)
    before = book.read_bytes()
    assert main(["batch", str(book), "-o", str(book), "--policies", str(MINI)]) == 1
    assert "would replace the input" in capsys.readouterr().err
    assert book.read_bytes() == before
    assert main(["batch", str(tmp_path / "x.csv"), "--sheet", "企业", "-o", str(tmp_path / "o.csv"),
                 "--policies", str(MINI)]) == 1
    assert "--sheet names a sheet of an .xlsx input" in capsys.readouterr().err


def test_every_row_of_a_sheet_is_counted_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*GOOD, ["E5", "戊", "测试县", "是", None, "=1"], [], ["E6", "己", "测试县", "否", None, "abc"]]
    out = tmp_path / "m.csv"
    assert main(["batch", str(workbook(tmp_path / "f.xlsx", rows)), "-o", str(out), "--sheet", "企业",
                 "--policies", str(MINI), "--as-of", AS_OF]) == 0
    line = capsys.readouterr().out
    assert line.startswith("read 6 rows: ")
    rejects = pd.read_csv(tmp_path / "m.rejects.csv")
    assert rejects["row"].tolist() == [6, 8]
    matched = set(pd.read_csv(out, dtype=str)["enterprise_id"])
    assert matched | {"E5", "E6"} >= {"E1", "E2", "E3", "E4"}
    assert rejects["reason"][1].startswith("sheet '企业' row 8: column F (营业收入 = revenue): cannot read "
                                          "'abc' as money")


def test_chinese_headers_name_the_same_fields_on_dask(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    from policymatch.batch.distributed import read_partitions

    csv = tmp_path / "w.csv"
    csv.write_text("企业名称, 营业收入,extra.亩均评价\n甲,3500万,A\n", encoding="utf-8")
    frame, text = read_partitions(csv)
    assert list(frame.columns) == ["name", "revenue", "extra.亩均评价"] and text
