"""Databases in and out of :mod:`policymatch.batch` through SQLAlchemy (``policymatch[sql]``).

Reading: the query the user gives is sent as it is to the database they name (never assembled
from values), inside a transaction that is rolled back (read-only on PostgreSQL and SQLite), and
its rows are fetched in chunks (a server-side cursor where the driver has one). Column names are
read like a CSV header (Chinese names too); row ``n`` is the ``n``-th row of the result. Values
keep their type: numbers as numbers, text through the profile's cell reading, a date for
``established`` only; a value of another type (bytes, JSON, a time) makes its row a reject.

Writing: the long table (or payout list) and its rejects go to a table and ``<table>_rejects``
in ONE transaction, so a run that fails leaves both tables as they were. Table names are
checked identifiers, quoted by SQLAlchemy; values are bound parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunk import Chunk

if TYPE_CHECKING:
    import pandas as pd

    from .run import BatchSummary, ChunkResult

__all__ = ["IF_EXISTS", "SqlQuery", "check_table_name", "run_to_table", "safe_url", "sqlite_file"]

IF_EXISTS = ("fail", "replace", "append")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_KEYS = ("id", "credit_code")


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading or writing a database needs SQLAlchemy: "
                          "pip install 'policymatch[sql]' (PostgreSQL: 'policymatch[postgresql]')") \
            from exc
    return sqlalchemy


def safe_url(url: str) -> str:
    """``url`` with any password masked, for messages."""
    try:
        return str(_sqlalchemy().engine.make_url(url).render_as_string(hide_password=True))
    except Exception:
        return url.split("://", 1)[0] + "://…"


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///file.db`` URL (None for other databases and ``:memory:``)."""
    try:
        parsed = _sqlalchemy().engine.make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _engine(url: str) -> Any:
    sa = _sqlalchemy()
    try:
        engine = sa.create_engine(url)
    except sa.exc.ArgumentError as exc:
        raise ValueError(f"{url.split('://', 1)[0]}://…: not a database URL ({exc}); write e.g. "
                         "sqlite:///enterprises.db or postgresql+psycopg://user@host/db") from None
    except ImportError as exc:
        raise ImportError(f"{safe_url(url)}: the database driver is not installed ({exc}); for "
                          "PostgreSQL: pip install 'policymatch[postgresql]'") from None
    if engine.dialect.name == "sqlite":  # the sqlite3 module would run DDL outside the transaction
        @sa.event.listens_for(engine, "connect")
        def _no_implicit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")
    return engine


def _db_error(url: str, what: str, exc: Exception) -> ValueError:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return ValueError(f"{safe_url(url)}: {what} failed: {text[:300]}")


# -- reading ----------------------------------------------------------------------------------
class SqlQuery:
    """The rows of ``query`` on the database at ``url``, as a batch input.

    >>> source = SqlQuery("sqlite:///enterprises.db", "SELECT * FROM firms")
    >>> source.url
    'sqlite:///enterprises.db'

    ``matcher.match_many(source)`` then reads it in chunks.
    """

    def __init__(self, url: str, query: str) -> None:
        self.url = url
        self.query = query

    def __repr__(self) -> str:
        return f"SqlQuery({safe_url(self.url)!r}, {self.query[:60]!r})"

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        sa = _sqlalchemy()
        if not self.query.strip():
            raise ValueError("--query is empty; give a SELECT that returns one row per enterprise")
        path = sqlite_file(self.url)
        if path is not None and not path.is_file():
            raise ValueError(f"{path}: no such database file (SQLite would create an empty one)")
        engine = _engine(self.url)
        try:
            with engine.connect() as conn:
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                elif engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA query_only = ON")
                try:
                    result = conn.execution_options(stream_results=True, yield_per=chunk_size,
                                                    no_parameters=True) \
                        .exec_driver_sql(self.query)
                except sa.exc.SQLAlchemyError as exc:
                    raise _db_error(self.url, "the query", exc) from None
                try:
                    if not result.returns_rows:
                        raise ValueError(f"{safe_url(self.url)}: the query returns no rows; give a "
                                         "SELECT that returns one row per enterprise")
                    yield from self._read(result, chunk_size)
                except sa.exc.SQLAlchemyError as exc:
                    raise _db_error(self.url, "reading the query's rows", exc) from None
                finally:
                    result.close()
                    if engine.dialect.name == "sqlite":
                        conn.rollback()
                        conn.exec_driver_sql("PRAGMA query_only = OFF")
        except sa.exc.OperationalError as exc:  # cannot connect
            raise _db_error(self.url, "connecting", exc) from None
        finally:
            engine.dispose()

    def _read(self, result: Any, chunk_size: int) -> Iterator[Chunk]:
        from .headers import explainer, resolve_header
        from .lines import check_header

        where = f"{safe_url(self.url)} (the query's columns)"
        header = resolve_header(where, check_header(where, [str(k) for k in result.keys()]))
        shown = [str(k) for k in result.keys()]
        keys = [(header.index(k), k) for k in _KEYS if k in header]
        named = {f: f"column {s}" if s == f else f"column {s} = {f}"
                 for f, s in zip(header, shown, strict=True) if f}
        row = 0
        for part in result.partitions(chunk_size):
            labels: dict[int, str] = {}
            chunk = Chunk([], {h: [] for h in header},
                          explain=explainer(_labeller(labels), named))
            assert chunk.columns is not None
            cols = [chunk.columns[h] for h in header]
            for record in part:
                row += 1
                values, problems = [], []
                for j, raw in enumerate(record):
                    value, problem = _value(raw, header[j])
                    if problem is not None:
                        problems.append(f"{named.get(header[j], f'column {shown[j]}')} {problem}")
                    values.append(value)
                if problems:
                    key = next((f" ({k} {record[i]!r})" for i, k in keys if record[i] is not None), "")
                    chunk.bad[row] = f"row {row}{key}: " + "; ".join(problems)
                    continue
                key = next((f" ({k} {record[i]!r})" for i, k in keys if record[i] is not None), "")
                if key:
                    labels[row] = key
                chunk.rows.append(row)
                for col, value in zip(cols, values, strict=True):
                    col.append(value)
            yield chunk


def _labeller(labels: dict[int, str]) -> Callable[[int], str]:
    """``row 4 (id 'E4'): `` for a row of a query result."""
    return lambda row: f"row {row}{labels.get(row, '')}: "


def _value(raw: Any, field: str) -> tuple[Any, str | None]:
    """A database value as the profile reads it, or why it cannot be read."""
    if raw is None or isinstance(raw, (bool, int, str)):
        return raw, None
    if isinstance(raw, float):
        return (raw, None) if math.isfinite(raw) else (None, f"holds {raw}, not a number")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return None, f"holds {raw}, not a number"
        return (int(raw), None) if raw == raw.to_integral_value() else (float(raw), None)
    if isinstance(raw, (dt.date, dt.datetime)):
        if field == "established":
            if not isinstance(raw, dt.datetime):
                return raw, None
            if raw.time() == dt.time() and raw.tzinfo is None:
                return raw.date(), None
            return None, (f"holds a time of day ({raw}); give the day only: "
                          "CAST(… AS DATE) in the query")
        return None, (f"holds a date ({raw}) where {field} is expected; a date is read for "
                      "established only")
    if isinstance(raw, (list, tuple)) and all(isinstance(x, str) for x in raw):
        return list(raw), None
    return None, (f"holds a value of type {type(raw).__name__}, which is not read; "
                  "CAST it to text or a number in the query")


# -- writing ----------------------------------------------------------------------------------
def check_table_name(name: str) -> tuple[str | None, str]:
    """``(schema, table)`` of ``name`` (``table`` or ``schema.table``), each a plain identifier
    (letters, digits, ``_``; at most 63 characters, the rejects table adds ``_rejects``)."""
    parts = name.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.fullmatch(p) for p in parts) \
            or len(parts[-1]) > 63 - len("_rejects"):
        raise ValueError(f"--to-table {name!r}: name a table with letters, digits and _ (not "
                         "starting with a digit, at most 55 characters), optionally schema.table")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def _tables(sa: Any, schema: str | None, name: str) -> tuple[Any, Any]:
    meta = sa.MetaData()
    text, real = sa.Text(), sa.Float(precision=53)
    long = sa.Table(name, meta,
                    sa.Column("enterprise_id", text), sa.Column("name", text),
                    sa.Column("clause_id", text), sa.Column("status", text),
                    sa.Column("score", real), sa.Column("amount", real),
                    sa.Column("counted", sa.Boolean()), sa.Column("recipient", text),
                    sa.Column("missing", text), schema=schema)
    bad = sa.Table(f"{name}_rejects", meta, sa.Column("row", sa.BigInteger()),
                   sa.Column("reason", text), schema=schema)
    return long, bad


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (NaN → NULL) for an executemany."""
    columns = {}
    for name in table.columns:
        values = table[name].astype(object).tolist()
        columns[str(name)] = [None if v is None or (isinstance(v, float) and math.isnan(v))
                              else (v.item() if hasattr(v, "item") else v) for v in values]
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def run_to_table(results: Iterable[ChunkResult], url: str, table: str, *,
                 if_exists: str = "fail",
                 progress: Callable[[int], None] | None = None) -> BatchSummary:
    """Write chunk results to ``table`` (and rejects to ``<table>_rejects``) at ``url``.

    ``if_exists``: ``fail`` (the default) refuses an existing table, ``replace`` drops and
    recreates it, ``append`` adds rows to one of the same columns. Everything happens in one
    transaction: on any error (a row the database refuses, an input that fails mid-way) it is
    rolled back and both tables stay as they were.
    """
    import time

    from .run import BatchSummary

    sa = _sqlalchemy()
    if if_exists not in IF_EXISTS:
        raise ValueError(f"--if-exists takes {', '.join(IF_EXISTS)}, not {if_exists!r}")
    schema, name = check_table_name(table)
    start = time.perf_counter()
    long, bad = _tables(sa, schema, name)
    summary = BatchSummary(output=f"table {table} ({safe_url(url)})", rejects=f"table {bad.name}")
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            _prepare(sa, conn, (long, bad), if_exists)
            for result in results:
                if len(result.table):
                    conn.execute(long.insert(), _records(result.table))
                if len(result.rejects):
                    conn.execute(bad.insert(), _records(result.rejects))
                summary.add(result)
                if progress is not None:
                    progress(result.n_read)
                del result
    except sa.exc.SQLAlchemyError as exc:
        raise _db_error(url, f"writing table {table}", exc) from None
    finally:
        engine.dispose()
    summary.elapsed = time.perf_counter() - start
    return summary


def _prepare(sa: Any, conn: Any, tables: tuple[Any, Any], if_exists: str) -> None:
    inspector = sa.inspect(conn)
    for t in tables:
        exists = inspector.has_table(t.name, schema=t.schema)
        if exists and if_exists == "fail":
            raise ValueError(f"table {t.name} already exists; pass --if-exists replace (or append) "
                             "to write over it (or add to it)")
        if exists and if_exists == "replace":
            t.drop(conn)
            exists = False
        if exists:  # append: the columns must be the ones written
            have = [c["name"] for c in inspector.get_columns(t.name, schema=t.schema)]
            want = [c.name for c in t.columns]
            if sorted(have) != sorted(want):
                raise ValueError(f"table {t.name} has the columns {', '.join(have)}, not those of "
                                 f"a {'rejects' if t is tables[1] else 'long'} table "
                                 f"({', '.join(want)}); append to another table or replace it")
        else:
            t.create(conn)
