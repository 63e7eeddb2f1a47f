"""`policymatch batch` end to end from a CSV file, an Excel workbook and a PostgreSQL query.

The same generated enterprises in each form; each run writes Parquet (and one writes a table),
and the long tables are checked to be equal. Needs a PostgreSQL URL (a database you may create a
table in) and `policymatch[excel,postgresql]`:

    python benchmarks/bench_io.py -n 100000 --db postgresql+psycopg://user@127.0.0.1/bench

Prints one JSON line per case: seconds and rows per second, matcher fit and start-up included.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import write


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "policymatch", "batch", *args, "--as-of", "2025-06-30"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def _load_postgres(url: str, path: Path) -> None:
    import sqlalchemy as sa

    with path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_firms")
        conn.exec_driver_sql("CREATE TABLE bench_firms (" + ", ".join(f'"{h}" TEXT' for h in header) + ")")
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cur, path.open("rb") as fh, \
                cur.copy("COPY bench_firms FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
    engine.dispose()


def _to_xlsx(path: Path, out: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("企业")
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            sheet.append([c if c != "" else None for c in row])
    book.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--db", required=True, help="PostgreSQL URL to load the enterprises into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "ents.csv"
        write(source, args.n, seed=args.seed)
        _load_postgres(args.db, source)
        _to_xlsx(source, folder / "ents.xlsx")
        cases = {
            "csv": [str(source), "-o", str(folder / "csv.parquet")],
            "xlsx": [str(folder / "ents.xlsx"), "-o", str(folder / "xlsx.parquet")],
            "postgresql": ["--db", args.db, "--query", "SELECT * FROM bench_firms",
                           "-o", str(folder / "postgresql.parquet")],
            "postgresql to table": ["--db", args.db, "--query", "SELECT * FROM bench_firms",
                                    "--to-table", "bench_matches", "--if-exists", "replace",
                                    "--eligible-only"],
        }
        for name, case in cases.items():
            seconds = _run(case)
            print(json.dumps({"case": name, "rows": args.n, "seconds": round(seconds, 1),
                              "rows_per_s": round(args.n / seconds)}), flush=True)
        want = pd.read_parquet(folder / "csv.parquet")
        for name in ("xlsx", "postgresql"):
            got = pd.read_parquet(folder / f"{name}.parquet")
            # a firm without id or credit code is keyed by its row number: a sheet's first data
            # row is row 2 (as Excel shows it), a CSV's or a query's is row 1
            keys = want["enterprise_id"].astype(str)
            if name == "xlsx":
                rows = keys.str.fullmatch(r"[0-9]+")
                keys = keys.copy()
                keys[rows] = [str(int(k) + 1) for k in keys[rows]]
            same = got.drop(columns="enterprise_id").astype(str).equals(
                want.drop(columns="enterprise_id").astype(str)) and \
                got["enterprise_id"].astype(str).tolist() == keys.tolist()
            print(json.dumps({"case": f"{name} equals csv", "pairs": len(got), "equal": same}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
