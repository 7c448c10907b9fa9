#!/usr/bin/env bash
# `make bench`: speed and memory of the release build on generated data. Prints medians of
# several runs (machines here are shared and noisy) and the peak RSS of the process.
#
#   BENCH_RUNS=3            runs per measurement
#   BENCH_SKIP_10M=1        skip the 10M-line load (it needs ~2 GB of disk and a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/loyalty
RUNS=${BENCH_RUNS:-3}
DATA=bench/data
WORK=${BENCH_WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA"

. bench/generate.sh

ingest_figures() { # label data-dir
    local label=$1 input=$2 wh=$WORK/$1.sqlite
    python3 bench/measure.py --runs "$RUNS" --label "$label: loyalty ingest (whole stage, fresh warehouse)" \
        --setup "rm -f $wh $wh-wal $wh-shm $wh.lock; rm -rf $WORK/out" \
        $BIN ingest --pipeline bench/bench.yml --input "$input" --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out"
    python3 - "$wh" "$label" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows, seconds = db.execute("SELECT rows_loaded, seconds FROM load WHERE entity = 'transactions' ORDER BY load_key DESC LIMIT 1").fetchone()
total_rows, total_seconds = db.execute("SELECT SUM(rows_loaded), SUM(seconds) FROM load WHERE run_key = (SELECT MAX(run_key) FROM run)").fetchone()
print(f"{sys.argv[2]}: transactions {rows} lines in {seconds:.2f} s = {rows / seconds:,.0f} lines/s (last run); "
      f"all files {total_rows} rows in {total_seconds:.2f} s = {total_rows / total_seconds:,.0f} rows/s")
PY
}

echo "== ingest, 1M lines"
ingest_figures 1M "$(generate 1m 300000 100000 5000)"

segment_figures() { # label (uses the warehouse the last ingest of that label left)
    local wh=$WORK/$1.sqlite
    python3 bench/measure.py --runs "$RUNS" --label "$1: loyalty segment (k = 6, n_init = 10)" \
        $BIN segment --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out"
    python3 - "$wh" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
customers, = db.execute("SELECT COUNT(*) FROM customer_rfm").fetchone()
seconds, = db.execute("SELECT seconds FROM stage_run WHERE stage = 'segment' ORDER BY run_key DESC LIMIT 1").fetchone()
print(f"{sys.argv[2]}: segment stage {seconds:.2f} s for {customers} customers (last run, from the run ledger)")
PY
}

offers_figures() { # label (enrich, segment and pairs must have run on that warehouse)
    local wh=$WORK/$1.sqlite
    $BIN enrich --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out" > /dev/null 2>&1
    python3 bench/measure.py --runs "$RUNS" --label "$1: loyalty offers" \
        --setup "python3 -c \"import sqlite3; db = sqlite3.connect('$wh'); db.execute('DELETE FROM offer'); db.commit()\"" \
        $BIN offers --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out"
}

publish_figures() { # label (segment and offers must have run on that warehouse)
    # As of 2026-12-05 the 14-day window of 2026-11-21's offers has closed, so each run also
    # measures that night; its stored measurement is deleted before each run. Segment runs that
    # night first, as in the nightly flow, so the report has a migration to draw.
    local wh=$WORK/$1.sqlite
    $BIN segment --pipeline bench/bench.yml --as-of 2026-12-05 --warehouse "$wh" --out "$WORK/out" > /dev/null 2>&1
    python3 bench/measure.py --runs "$RUNS" --label "$1: loyalty publish (as of 2026-12-05: measures 2026-11-21's offers)" \
        --setup "python3 -c \"import sqlite3; db = sqlite3.connect('$wh'); db.execute('DELETE FROM offer_outcome'); db.execute('DELETE FROM offer_outcome_run'); db.commit()\"" \
        $BIN publish --pipeline bench/bench.yml --as-of 2026-12-05 --warehouse "$wh" --out "$WORK/out"
}

pairs_figures() { # label (uses the warehouse the last ingest of that label left)
    python3 bench/measure.py --runs "$RUNS" --label "$1: loyalty pairs (min_count 2)" \
        $BIN pairs --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$WORK/$1.sqlite" --out "$WORK/out"
}

night_series() { # label data-dir: a first full load, then one night of one new day of lines
    local label=$1 split=$WORK/$1-split wh=$WORK/$1-night.sqlite
    python3 bench/split_night.py "$2" 2026-11-21 "$split"
    python3 bench/measure.py --runs 1 --label "$label: first full load, every stage (loyalty run as of 2026-11-20, fresh warehouse)" \
        --setup "rm -f $wh $wh-wal $wh-shm $wh.lock" \
        $BIN run --pipeline bench/bench.yml --input "$split/base" --as-of 2026-11-20 --warehouse "$wh" --out "$WORK/out"
    ledger "$wh" "$label: first full load"
    cp "$wh" "$wh.before"
    python3 bench/measure.py --runs "$RUNS" --label "$label: one-day night, every stage (loyalty run as of 2026-11-21)" \
        --setup "cp $wh.before $wh; rm -f $wh-wal $wh-shm" \
        $BIN run --pipeline bench/bench.yml --input "$split/night" --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out"
    ledger "$wh" "$label: one-day night"
    python3 bench/measure.py --runs "$RUNS" --label "$label: loyalty rebuild (as of 2026-11-21)" \
        $BIN rebuild --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$wh"
    rm -f "$wh.before"
}

ledger() { # warehouse label: the last run's stage seconds, from the run ledger
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stages = db.execute("SELECT stage, seconds FROM stage_run WHERE run_key = (SELECT MAX(run_key) FROM run) ORDER BY rowid").fetchall()
through_pairs = sum(seconds for stage, seconds in stages if stage in ("ingest", "enrich", "segment", "pairs"))
print(f"{sys.argv[2]} (last run): " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages)
      + f"; ingest through pairs {through_pairs:.2f} s")
PY
}

backtest_figures() { # label (the warehouse the night series and stages left): offers of 2026-10-22 against 30 days
    python3 bench/measure.py --runs "$RUNS" --label "$1: loyalty backtest --as-of 2026-10-22 --horizon-days 30 (copy, 4 stages, scoring)" \
        $BIN backtest --pipeline bench/bench.yml --as-of 2026-10-22 --horizon-days 30 --warehouse "$WORK/$1.sqlite" --out "$WORK/out"
}

echo "== night series, 1M lines: first full load, one new day, rebuild"
night_series 1M "$DATA/1m"

echo "== segment, 1M lines"
segment_figures 1M
echo "== pairs, 1M lines"
pairs_figures 1M
echo "== offers, 1M lines (100k customers)"
offers_figures 1M
echo "== publish, 1M lines (100k customers)"
publish_figures 1M
echo "== backtest, 1M lines (100k customers)"
backtest_figures 1M

value_figures() { # label data-dir: customer value's fit and scoring inside the segment stage
    local wh=$WORK/$1.sqlite
    $BIN ingest --pipeline bench/bench.yml --input "$2" --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out" > /dev/null 2>&1
    local phases=()
    for _ in $(seq "$RUNS"); do
        phases+=("$($BIN segment --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out" 2>&1 \
            | sed -n 's/.*seconds=\([0-9.]*\) \[LoyaltyKit\] segment: customer value: \([0-9]*\) customers fitted.*/\1 \2/p')")
    done
    python3 - "$1" "${phases[@]}" <<'PY'
import statistics, sys
runs = [line.split() for line in sys.argv[2:]]
seconds = [float(r[0]) for r in runs]
print(f"{sys.argv[1]}: customer value (BG/NBD and Gamma-Gamma fit, every customer scored) median {statistics.median(seconds):.2f} s "
      f"(runs: {', '.join(f'{s:.2f}' for s in seconds)}) for {runs[0][1]} customers fitted")
PY
}

echo "== customer value, 1M customers (1.2M orders)"
value_figures value1M "$(generate value1m 1200000 1000000 5000)"

echo "== pairs, 56 baskets of 1,000 products (28M pair occurrences)"
if [ ! -f "$DATA/big-baskets/transactions.csv" ]; then python3 bench/big_baskets.py "$DATA/big-baskets" > /dev/null; fi
python3 bench/measure.py --runs 1 --label "big baskets: loyalty ingest" --setup "rm -f $WORK/big.sqlite*" \
    $BIN ingest --input "$DATA/big-baskets" --as-of 2026-11-21 --warehouse "$WORK/big.sqlite" --out "$WORK/out"
python3 bench/measure.py --runs "$RUNS" --label "big baskets: loyalty pairs" \
    $BIN pairs --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$WORK/big.sqlite" --out "$WORK/out"

if [ "${BENCH_SKIP_10M:-0}" != 1 ]; then
    echo "== night series, 10M lines: first full load, one new day, rebuild"
    night_series 10M "$(generate 10m 3000000 600000 20000)"
    echo "== ingest, 10M lines"
    RUNS=1 ingest_figures 10M "$DATA/10m"
    echo "== segment, 10M lines (~600k customers)"
    segment_figures 10M
    echo "== pairs, 10M lines (~2.8M baskets)"
    pairs_figures 10M
    echo "== offers, 10M lines (~600k customers)"
    offers_figures 10M
    echo "== publish, 10M lines (~600k customers)"
    publish_figures 10M
fi
