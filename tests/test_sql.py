"""Databases in and out of ``policymatch batch``: SQLite always, PostgreSQL when a server is there.

PostgreSQL: ``$POLICYMATCH_TEST_PG_URL`` if set (CI sets it), else a throwaway cluster started
with ``initdb``/``pg_ctl`` into a temporary folder, else those tests are skipped, saying why.
Every row is matched or a reject; the table written equals the file written for the same input;
a run that fails leaves the tables it would write as they were.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

sa = pytest.importorskip("sqlalchemy")

from policymatch import Matcher, load_policies  # noqa: E402
from policymatch.batch import iter_match_many  # noqa: E402
from policymatch.batch.sql import SqlQuery, check_table_name, run_to_table  # noqa: E402
from policymatch.cli import main  # noqa: E402

MINI = Path(__file__).parent / "data" / "mini.yaml"
AS_OF = "2025-06-01"
FIRMS = [  # (id, 企业名称, region, credit_clean, new_qualifications, revenue, employees, established)
    ("E1", "甲公司", "测试县", "是", "国高新", Decimal("150000000.00"), 120, dt.date(2015, 3, 1)),
    ("E2", "乙公司", "测试县", "是", None, "1.2亿", 30, None),
    ("E3", "丙公司", "测试县", "是", "小巨人", Decimal("2000000.50"), None, dt.date(2024, 1, 9)),
    ("E4", "丁公司", "测试县", "否", "国高新", None, -3, None),  # a bad head count: a reject
    ("E5", "=cmd|' /C calc'!A0", "测试县", "是", "国高新", 5, 8, None),
    ("E6", "戊公司", "外县", "是", None, "abc", 1, None),  # unreadable money: a reject
]
QUERY = ("SELECT id, 企业名称, region AS 所在地区, credit_clean AS 信用良好, new_q AS 当年新获资质, "
         "revenue AS 营业收入, employees AS 从业人数, established AS 成立日期 FROM firms ORDER BY id")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_cluster() -> tuple[str | None, str, Any]:
    """(url, why not, stop) of a throwaway PostgreSQL cluster."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if initdb is None:
        return None, "no initdb (apt-get install postgresql, or set POLICYMATCH_TEST_PG_URL)", None
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="policymatch-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            return None, "running as root without runuser to start PostgreSQL as another user", None
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    try:
        subprocess.run([*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "policymatch",
                        "--no-sync"], check=True, capture_output=True, timeout=120)
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-w", "-t", "60", "-l", str(folder / "log"),
                        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                        "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"could not start a PostgreSQL cluster: {exc} {detail.decode(errors='replace')[:200]}", None

    def stop() -> None:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql+psycopg://policymatch@127.0.0.1:{port}/postgres", "", stop


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server to write into: the one CI names, else a throwaway cluster."""
    given = os.environ.get("POLICYMATCH_TEST_PG_URL")
    if given:
        yield given
        return
    pytest.importorskip("psycopg", reason="PostgreSQL tests need psycopg (policymatch[postgresql])")
    url, why, stop = _start_cluster()
    if url is None:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    try:
        yield url
    finally:
        stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL holding table ``firms``: an SQLite file, and a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'county.db'}"
        engine = sa.create_engine(url)
        revenue, name = "TEXT", None
    else:
        base = request.getfixturevalue("postgres_url")
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        admin.dispose()
        url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={name}"}) \
            .render_as_string(hide_password=False)
        engine = sa.create_engine(url)
        revenue = "TEXT"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE firms (id TEXT, 企业名称 TEXT, region TEXT, credit_clean TEXT, "
                             f"new_q TEXT, revenue {revenue}, revenue_num NUMERIC(16, 2), employees INTEGER, "
                             "established DATE, note BYTEA)"
                             .replace("BYTEA", "BYTEA" if name else "BLOB"))
        firms = sa.Table("firms", sa.MetaData(), autoload_with=conn)
        conn.execute(firms.insert(), [
            {"id": f[0], "企业名称": f[1], "region": f[2], "credit_clean": f[3], "new_q": f[4],
             "revenue": None if f[5] is None else str(f[5]),
             "revenue_num": f[5] if isinstance(f[5], (Decimal, int)) else None, "employees": f[6],
             "established": f[7]} for f in FIRMS])
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


def table(url: str, name: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.DataFrame(conn.execute(sa.text(f"SELECT * FROM {name}")).mappings().all())
    finally:
        engine.dispose()


def batch(*args: str) -> int:
    return main(["batch", *args, "--policies", str(MINI), "--as-of", AS_OF])


# -- reading ---------------------------------------------------------------------------------------
def test_a_query_reads_like_the_same_rows_from_a_csv(db: str, tmp_path: Path) -> None:
    csv = tmp_path / "firms.csv"
    frame = pd.DataFrame([(*f[:-1], f[-1].isoformat() if f[-1] else None) for f in FIRMS],
                         columns=["id", "企业名称", "所在地区", "信用良好", "当年新获资质", "营业收入", "从业人数",
                                  "成立日期"])
    frame.to_csv(csv, index=False)
    assert batch(str(csv), "-o", str(tmp_path / "file.csv")) == 0
    assert batch("--db", db, "--query", QUERY, "-o", str(tmp_path / "db.csv"), "--chunk-size", "2") == 0
    from_file = pd.read_csv(tmp_path / "file.csv", dtype=str)
    from_db = pd.read_csv(tmp_path / "db.csv", dtype=str)
    assert len(from_db) > 0
    pd.testing.assert_frame_equal(from_db, from_file)
    assert pd.read_csv(tmp_path / "db.rejects.csv")["row"].tolist() == [4, 6]  # ordinals in the result
    assert batch("--db", db, "--to-table", "matches", str(csv)) == 0
    written = table(db, "matches")
    # the table's rows are the file's rows (the file defuses formulas with a ', the table needs not)
    assert written["name"].tolist() == [n.removeprefix("'") for n in from_file["name"]]
    assert written["clause_id"].tolist() == from_file["clause_id"].tolist()
    assert written["amount"].fillna(-1).tolist() == pd.to_numeric(from_file["amount"]).fillna(-1).tolist()
    assert written["counted"].tolist() == (from_file["counted"] == "true").tolist()
    assert written["missing"].fillna("").tolist() == from_file["missing"].fillna("").tolist()
    assert table(db, "matches_rejects")["row"].tolist() == [4, 6]


def test_every_row_of_a_query_is_counted_once(db: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches", "--chunk-size", "3") == 0
    out = capsys.readouterr().out
    n_matched = int(out.split(": ")[1].split(" matched")[0])
    n_none = int(out.split(", ")[1].split(" no match")[0])
    assert out.startswith("read 6 rows: ") and n_matched + n_none + 2 == 6
    assert len(set(table(db, "matches")["enterprise_id"])) == n_matched
    reasons = table(db, "matches_rejects")["reason"].tolist()
    assert reasons[0].startswith("row 4 (id 'E4'): column 从业人数 = employees: ")
    assert reasons[1].startswith("row 6 (id 'E6'): column 营业收入 = revenue: cannot read 'abc' as money")


def test_values_keep_their_types_and_others_are_rejects(db: str) -> None:
    query = ("SELECT id, 企业名称 AS name, revenue_num AS revenue, established, "
             "established AS 营业收入年份, note FROM firms ORDER BY id")
    with pytest.raises(ValueError, match=r"column '营业收入年份' is not a profile field"):
        list(SqlQuery(db, query).chunks(10))
    rows: dict[int, dict[str, Any]] = {}
    bad: dict[int, str] = {}
    for chunk in SqlQuery(db, "SELECT id, revenue_num AS revenue, established, "
                              "established AS \"extra.认定日期\" FROM firms ORDER BY id").chunks(4):
        rows.update({row: chunk.record(i) for i, row in enumerate(chunk.rows)})
        bad.update(chunk.bad)
    assert rows[2]["revenue"] is None and rows[6]["revenue"] is None
    assert rows[5]["revenue"] == 5 and type(rows[5]["revenue"]) is int
    if db.startswith("sqlite"):  # SQLite has no date type: a day is text, read as in a CSV
        assert bad == {} and rows[1]["established"] == rows[1]["extra.认定日期"] == "2015-03-01"
    else:  # a date is a date for established, and refused where another value is expected
        assert bad[1].startswith("row 1 (id 'E1'): column extra.认定日期 holds a date (2015-03-01)")
        assert set(bad) == {1, 3}  # the rows with a founding date copied into an extra column
        assert rows[2]["established"] is None and type(rows[5]["revenue"]) is int  # NUMERIC 5.00
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE firms SET note = x'00ff' WHERE id = 'E2'" if db.startswith("sqlite")
                             else "UPDATE firms SET note = '\\x00ff'::bytea WHERE id = 'E2'")
    engine.dispose()
    chunks = list(SqlQuery(db, "SELECT id, note AS \"extra.备注\" FROM firms ORDER BY id").chunks(10))
    assert "holds a value of type bytes" in chunks[0].bad[2] and "CAST it" in chunks[0].bad[2]


def test_the_query_is_sent_as_written_and_cannot_change_the_data(db: str) -> None:
    literal = "SELECT id, 企业名称 AS name FROM firms WHERE 企业名称 LIKE '%公司' AND id <> ':x'"
    names = [r["name"] for c in SqlQuery(db, literal).chunks(10) for r in map(c.record, range(len(c.rows)))]
    assert names == ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司"]
    with pytest.raises(ValueError, match=r"the query failed: "):
        list(SqlQuery(db, "DELETE FROM firms").chunks(10))
    locking = "SELECT id FROM firms FOR UPDATE" if db.startswith("postgresql") else "DELETE FROM firms"
    with pytest.raises(ValueError, match=r"the query failed: .*(read-only|readonly)"):
        list(SqlQuery(db, locking).chunks(10))
    with pytest.raises(ValueError, match=r"the query failed"):
        list(SqlQuery(db, "SELEC 1").chunks(10))
    assert len(table(db, "firms")) == len(FIRMS)


# -- writing ---------------------------------------------------------------------------------------
def test_if_exists_fail_replace_append(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches") == 0
    n = len(table(db, "matches"))
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches") == 1
    assert "table matches already exists; pass --if-exists replace" in capsys.readouterr().err
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches", "--if-exists", "append") == 0
    assert len(table(db, "matches")) == 2 * n and len(table(db, "matches_rejects")) == 4
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches", "--if-exists", "replace",
                 "--eligible-only") == 0
    assert set(table(db, "matches")["status"]) == {"eligible"}
    assert batch("--db", db, "--query", QUERY, "--to-table", "firms", "--if-exists", "replace") == 1
    assert "the query reads firms; writing it would replace the input" in capsys.readouterr().err
    assert batch("--db", db, "--query", QUERY, "--to-table", "firms_copy", "--if-exists", "append") == 0
    assert batch("--db", db, "--query", "SELECT id AS name FROM firms", "--to-table", "firms_copy",
                 "--if-exists", "append") == 0
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE other (a INTEGER)")
    engine.dispose()
    assert batch("--db", db, "--query", QUERY, "--to-table", "other", "--if-exists", "append") == 1
    assert "table other has the columns a, not those of a long table" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["matches; DROP TABLE firms", "1st", "a.b.c", "x" * 60, "名单", ""])
def test_a_table_name_is_a_plain_identifier(name: str) -> None:
    with pytest.raises(ValueError, match="name a table with letters, digits and _"):
        check_table_name(name)


@pytest.mark.parametrize("if_exists", ["replace", "append"])
def test_a_run_that_fails_mid_write_leaves_the_tables_as_they_were(db: str, matcher: Matcher,
                                                                   if_exists: str) -> None:
    assert batch("--db", db, "--query", QUERY, "--to-table", "matches") == 0
    before, before_bad = table(db, "matches"), table(db, "matches_rejects")

    def failing() -> Iterator[Any]:
        results = iter_match_many(matcher, SqlQuery(db, QUERY), chunk_size=2,
                                  as_of=dt.date(2025, 6, 1))
        yield next(results)
        yield next(results)  # two chunks are written, then the input breaks
        raise OSError("the register went away")

    with pytest.raises(OSError, match="went away"):
        run_to_table(failing(), db, "matches", if_exists=if_exists)
    pd.testing.assert_frame_equal(table(db, "matches"), before)
    pd.testing.assert_frame_equal(table(db, "matches_rejects"), before_bad)
    with pytest.raises(ValueError, match="already exists"):  # the default refuses, writes nothing
        run_to_table(failing(), db, "matches")
    pd.testing.assert_frame_equal(table(db, "matches"), before)


def test_a_failed_first_write_leaves_no_table(db: str, matcher: Matcher) -> None:
    def failing() -> Iterator[Any]:
        yield from iter_match_many(matcher, SqlQuery(db, QUERY), chunk_size=2, as_of=dt.date(2025, 6, 1))
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        run_to_table(failing(), db, "fresh")
    inspector = sa.inspect(sa.create_engine(db))
    assert not inspector.has_table("fresh") and not inspector.has_table("fresh_rejects")


def test_option_combinations_are_checked_before_anything_runs(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    for args, message in [
        (["--query", "SELECT 1", "-o", "o.csv"], "--query needs --db URL"),
        (["--db", url, "--query", "SELECT 1", "-o", "o.csv"], "no such database file"),
        (["x.csv", "--db", url, "--query", "SELECT 1", "-o", "o.csv"], "as INPUT (x.csv) or as --query"),
        (["x.csv"], "name the output: -o FILE, or --db URL with --to-table NAME"),
        (["x.csv", "-o", "o.csv", "--to-table", "t", "--db", url], "not both"),
        (["x.csv", "--to-table", "t"], "--to-table needs --db URL"),
        (["x.csv", "-o", "o.csv", "--if-exists", "append"], "--if-exists is for --to-table"),
        (["--db", url, "--query", "SELECT 1", "-o", "o.csv", "--workers", "2"], "--workers and --scheduler"),
        ([], "name the enterprises"),
    ]:
        assert batch(*args) == 1, args
        assert message in capsys.readouterr().err, args
    assert not (tmp_path / "none.db").exists()


# -- the documented commands -----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
DOC_URL = "postgresql+psycopg://stats@db.county.local/register"


def _commands(text: str) -> list[list[str]]:
    import shlex

    block = text.split("```bash\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    return [shlex.split(line, comments=True)[2:] for line in block.splitlines()
            if line.startswith("policymatch batch")]


def _register(folder: Path, url: str | None = None) -> None:
    import openpyxl

    header = ["企业名称", "所在地区", "信用良好", "当年新获资质", "营业收入"]
    rows = [["甲公司", "嵊州市", "是", "国高新", 150_000_000], ["乙公司", "嵊州市", "是", None, "1.2亿"]]
    book = openpyxl.Workbook()
    book.active.title = "企业"
    for title in ("企业", "2025年"):
        ws = book[title] if title in book.sheetnames else book.create_sheet(title)
        for row in [header, *rows]:
            ws.append(row)
    book.save(folder / "企业名录.xlsx")
    engine = sa.create_engine(url or f"sqlite:///{folder / 'county.db'}")
    with engine.begin() as conn:
        pd.DataFrame(rows, columns=header).astype(str).to_sql("firms", conn, index=False)
    engine.dispose()


def test_the_documented_excel_and_database_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        request: pytest.FixtureRequest) -> None:
    docs = _commands((ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
                     .split("<!-- the commands of this block are run by tests/test_sql.py -->", 1)[1])
    readme = _commands((ROOT / "README.md").read_text(encoding="utf-8").split("## A whole county", 1)[1])
    assert len(docs) == 5 and len(readme) == 2
    for name, commands in (("docs", docs), ("readme", readme)):
        folder = tmp_path / name
        folder.mkdir()
        _register(folder)
        monkeypatch.chdir(folder)
        for args in commands:
            if DOC_URL in args:
                try:
                    base = request.getfixturevalue("postgres_url")
                except pytest.skip.Exception:
                    continue
                schema = f"doc_{uuid.uuid4().hex[:10]}"
                engine = sa.create_engine(base)
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
                engine.dispose()
                url = sa.engine.make_url(base).update_query_dict(
                    {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
                (folder / "pg").mkdir()
                _register(folder / "pg", url)
                args = [url if a == DOC_URL else a for a in args]
            assert main(["batch", *args, "--policies", str(MINI), "--as-of", AS_OF]) == 0, args
    assert (tmp_path / "docs" / "兑现名单.xlsx").is_file() and (tmp_path / "docs" / "matches.parquet").is_file()
    written = f"sqlite:///{tmp_path / 'readme' / 'county.db'}"
    assert sa.inspect(sa.create_engine(written)).has_table("matches")
    assert table(written, "matches_rejects").empty  # both rows read, none refused
