#!/usr/bin/env python3
"""Runs the PipelineBench query with pandas and DuckDB over the same CSV and prints rows/s.

Query: keep rows where price * qty > 100 and region != 'EU', then per region: count,
sum(price), avg(qty). Each engine reads the CSV from disk inside the timed section, as the
Mimir pipeline does. Generate the file first with:
    bench/pipeline.sh (or: mimir-bench-pipeline pipeline)
"""
import sys
import time

import duckdb
import pandas as pd

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
PATH = sys.argv[2] if len(sys.argv) > 2 else f".build-release/bench-data/sales_{ROWS}.csv"
REPEATS = 3


def best_of(run):
    best = float("inf")
    result = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def with_pandas():
    # keep_default_na=False: otherwise pandas reads the region "NA" as missing and drops it.
    frame = pd.read_csv(PATH, keep_default_na=False)
    kept = frame[(frame.price * frame.qty > 100) & (frame.region != "EU")]
    return kept.groupby("region").agg(n=("id", "size"), sum_price=("price", "sum"), avg_qty=("qty", "mean"))


def with_duckdb(threads):
    def run():
        connection = duckdb.connect()
        connection.execute(f"SET threads = {threads}")
        return connection.execute(
            f"""SELECT region, count(*) AS n, sum(price) AS sum_price, avg(qty) AS avg_qty
                FROM read_csv_auto('{PATH}') WHERE price * qty > 100 AND region <> 'EU'
                GROUP BY region ORDER BY region"""
        ).fetchall()
    return run


def report(name, seconds):
    print(f"{name}: {ROWS} rows in {seconds * 1000:.1f} ms (best of {REPEATS}) = {int(ROWS / seconds)} rows/s")


seconds, result = best_of(with_pandas)
report(f"pandas {pd.__version__}", seconds)
print(result.sort_index().to_string())
for threads in (1, 2):
    seconds, rows = best_of(with_duckdb(threads))
    report(f"duckdb {duckdb.__version__} ({threads} thread{'s' if threads > 1 else ''})", seconds)
print(rows)
