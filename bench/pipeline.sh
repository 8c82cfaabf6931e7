#!/usr/bin/env bash
# Usage: bench/pipeline.sh [ROWS]
# The pipeline engine against pandas and DuckDB on one generated CSV (ROWS rows, default 1,000,000):
# filter `price * qty > 100 and region != 'EU'`, then per region count, sum(price), avg(qty), each
# engine reading the file inside its timed part, best of 3. Installs pandas and DuckDB from PyPI
# when missing. Release build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=${1:-1000000}
scratch=.build-release
mkdir -p "$scratch/bench-data"
swift build -c release --scratch-path "$scratch" --product mimir-bench-pipeline >/dev/null
"$(swift build -c release --scratch-path "$scratch" --show-bin-path)/mimir-bench-pipeline" pipeline "$rows" "$scratch/bench-data"
python3 -c 'import pandas, duckdb' 2>/dev/null || pip install --quiet --break-system-packages pandas duckdb
python3 bench/pipeline/compare.py "$rows" "$scratch/bench-data/sales_$rows.csv"
