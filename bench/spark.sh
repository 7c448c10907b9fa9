#!/usr/bin/env bash
# `make bench-spark`: the aggregation layer on the two engines, on make bench's generated data.
# Ingest is the stage that differs (it maintains the aggregates); every later stage runs the same
# Swift code on the same tables, so its figures are make bench's. For each size: a first full
# load of the history up to 2026-11-20 into a fresh warehouse (and, for Spark, a fresh lake), then
# the one-day night of 2026-11-21 (bench/split_night.py), each under `engine: sqlite` and
# `engine: spark` with `spark.master` local[2]. Then what the driver machine keeps per customer
# and per product pair (the warehouse's tables on disk, from SQLite's dbstat). Peak RSS is
# wait4's: on Linux the largest of loyalty and the processes it waited for (the Spark JVM).
#
#   BENCH_RUNS=3            runs of each one-day night (the full loads run once)
#   BENCH_SKIP_10M=1        1M lines only
#   SPARK_SUBMIT            default .venv-spark/bin/spark-submit (make spark-env)
#   SPARK_MASTER            default local[2]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/loyalty
RUNS=${BENCH_RUNS:-3}
SUBMIT=${SPARK_SUBMIT:-.venv-spark/bin/spark-submit}
MASTER=${SPARK_MASTER:-local[2]}
WORK=${BENCH_WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT

. bench/generate.sh

pipeline() { # engine lake file
    cp bench/bench.yml "$3"
    if [ "$1" = spark ]; then
        printf '\nengine: spark\nspark:\n  submit: %s\n  master: "%s"\n  lake: %s\n' "$SUBMIT" "$MASTER" "$2" >> "$3"
    fi
}

ingest_seconds() { # warehouse: the last run's ingest stage, from the run ledger
    python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seconds, = db.execute("SELECT seconds FROM stage_run WHERE stage = 'ingest' ORDER BY run_key DESC LIMIT 1").fetchone()
print(f"ingest stage {seconds:.2f} s")
PY
}

series() { # label data-dir
    local label=$1 split=$WORK/$1-split
    python3 bench/split_night.py "$2" 2026-11-21 "$split"
    for engine in sqlite spark; do
        local wh=$WORK/$label-$engine.sqlite lake=$WORK/$label-lake yml=$WORK/$label-$engine.yml
        pipeline $engine "$lake" "$yml"
        rm -rf "$lake"
        python3 bench/measure.py --runs 1 --label "$label $engine: first full load (loyalty ingest as of 2026-11-20, fresh warehouse)" \
            --setup "rm -f $wh $wh-wal $wh-shm $wh.lock" \
            $BIN ingest --pipeline "$yml" --input "$split/base" --as-of 2026-11-20 --warehouse "$wh" --out "$WORK/out"
        echo "$label $engine: first full load: $(ingest_seconds "$wh")"
        cp "$wh" "$wh.before"
        [ "$engine" = spark ] && cp -r "$lake" "$lake.before"
        python3 bench/measure.py --runs "$RUNS" --label "$label $engine: one-day night (loyalty ingest as of 2026-11-21)" \
            --setup "cp $wh.before $wh; rm -f $wh-wal $wh-shm; if [ -d $lake.before ]; then rm -rf $lake; cp -r $lake.before $lake; fi" \
            $BIN ingest --pipeline "$yml" --input "$split/night" --as-of 2026-11-21 --warehouse "$wh" --out "$WORK/out"
        echo "$label $engine: one-day night (last run): $(ingest_seconds "$wh")"
        rm -rf "$wh.before" "$lake.before"
    done
    [ -d "$WORK/$label-lake" ] && echo "$label: lake $(du -sh "$WORK/$label-lake" | cut -f1) in $(find "$WORK/$label-lake" -name '*.parquet' | wc -l) Parquet files"
    # The stages after ingest, once, so the warehouse holds what a night leaves on the driver.
    $BIN run --from enrich --pipeline bench/bench.yml --as-of 2026-11-21 --warehouse "$WORK/$label-sqlite.sqlite" --out "$WORK/out" > /dev/null 2>&1
    driver_bytes "$label" "$WORK/$label-sqlite.sqlite"
    rm -rf "$WORK/$label"-*
}

driver_bytes() { # label warehouse: what stays on the driver machine once the lines live in the lake
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
label, path = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
def size(tables):
    marks = ",".join("?" * len(tables))
    # Each table's own pages and those of its indexes.
    return db.execute(f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ({marks}) OR name IN "
                      f"(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}))", tables + tables).fetchone()[0]
customers, = db.execute("SELECT COUNT(*) FROM customer").fetchone()
pairs, = db.execute("SELECT COUNT(*) FROM agg_product_pair").fetchone()
per_customer = ["customer", "agg_customer", "agg_customer_month", "agg_customer_hour", "agg_customer_product", "customer_rfm",
                "customer_value", "segment_membership"]
per_pair = ["agg_product_pair"]
lines = size(["order_line", "sales_order", "agg_order"])
c, p = size(per_customer), size(per_pair)
total = db.execute("SELECT SUM(pgsize) FROM dbstat").fetchone()[0]
print(f"{label}: warehouse {total / 2**20:,.0f} MiB; order lines, orders and agg_order {lines / 2**20:,.0f} MiB (what the lake takes over); "
      f"per customer {c / max(customers, 1):,.0f} B ({customers:,} customers: {', '.join(per_customer)}); "
      f"per product pair {p / max(pairs, 1):,.0f} B ({pairs:,} pairs in agg_product_pair)")
PY
}

test -x "$BIN" || { echo "no $BIN: make release first" >&2; exit 2; }
test -x "$SUBMIT" || { echo "no $SUBMIT: make spark-env first" >&2; exit 2; }
echo "== 1M lines, engine sqlite vs spark ($MASTER)"
series 1M "$(generate 1m 300000 100000 5000)"
if [ "${BENCH_SKIP_10M:-0}" != 1 ]; then
    echo "== 10M lines, engine sqlite vs spark ($MASTER)"
    series 10M "$(generate 10m 3000000 600000 20000)"
fi
