#!/usr/bin/env bash
# `make test-spark`: the two engines, night by night, must write the same outputs byte for byte
# (manifest.json excepted: it names the engine's paths and times), and the Spark engine's
# aggregates must equal the reference definitions (`loyalty verify`).
#
#   1. the demo: fixtures/demo as of 2026-11-07, then re-delivered as of 2026-11-21 with one order
#      moved to another day and another given to another customer; then a night under the SQLite
#      engine on the Spark warehouse, and both engines again as of 2026-11-23;
#   2. a generated delivery of about 200k lines: its history up to 2026-11-20, then the night of
#      2026-11-21's lines alone (bench/split_night.py), so the lake is rewritten for one day;
#   3. the same with a 365-day window, then a night with no new lines: the aggregates change by
#      the orders that left the window and the customers who placed them. This series passes the
#      job's inputs and results through spark.staging (a file:// folder here), as on a cluster.
#
#   SPARK_SUBMIT   the spark-submit to use (default: .venv-spark/bin/spark-submit, `make spark-env`)
#   SPARK_MASTER   default local-cluster[2,1,1024]: two executor JVMs, as on a cluster
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/loyalty}
SUBMIT=${SPARK_SUBMIT:-.venv-spark/bin/spark-submit}
MASTER=${SPARK_MASTER:-local-cluster[2,1,1024]}
WORK=${PARITY_WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
failures=0

engine_file() { # base-pipeline engine out-file
    grep -v '^\(warehouse\|output\):' "$1" > "$3"
    if [ "$2" = spark ]; then
        printf '\nengine: spark\nspark:\n  submit: %s\n  master: "%s"\n  lake: %s\n' "$SUBMIT" "$MASTER" "$WORK/$(basename "$3" .yml)-lake" >> "$3"
        if [ -n "${SERIES_STAGING:-}" ]; then printf '  staging: %s\n' "$SERIES_STAGING" >> "$3"; fi
    fi
}

night() { # name engine pipeline input as-of
    local name=$1 engine=$2
    local started=$SECONDS
    if ! $BIN run --pipeline "$3" --input "$4" --as-of "$5" --warehouse "$WORK/$name-$engine.sqlite" --out "$WORK/$name-$engine-out/$5" \
        > "$WORK/$name-$engine.log" 2>&1; then
        echo "FAIL $name ($engine, as of $5): the run failed; its last lines:"
        tail -5 "$WORK/$name-$engine.log"
        exit 1
    fi
    echo "$name: $engine night as of $5 in $((SECONDS - started)) s"
}

compare() { # name as-of
    if diff -r -q --exclude=manifest.json "$WORK/$1-sqlite-out/$2" "$WORK/$1-spark-out/$2" > "$WORK/diff.txt"; then
        echo "$1 as of $2: every output equal ($(find "$WORK/$1-spark-out/$2" -type f ! -name manifest.json | wc -l) files)"
    else
        echo "FAIL $1 as of $2: the engines' outputs differ:"
        head -20 "$WORK/diff.txt"
        failures=$((failures + 1))
    fi
    if ! $BIN verify --pipeline "$WORK/$1-spark.yml" --warehouse "$WORK/$1-spark.sqlite" > "$WORK/verify.txt" 2>&1; then
        echo "FAIL $1 as of $2: the Spark engine's aggregates differ from the reference:"
        cat "$WORK/verify.txt"
        failures=$((failures + 1))
    fi
}

series() { # name base-pipeline then pairs of input as-of
    local name=$1 base=$2
    shift 2
    engine_file "$base" sqlite "$WORK/$name-sqlite.yml"
    engine_file "$base" spark "$WORK/$name-spark.yml"
    while [ $# -gt 0 ]; do
        night "$name" sqlite "$WORK/$name-sqlite.yml" "$1" "$2"
        night "$name" spark "$WORK/$name-spark.yml" "$1" "$2"
        compare "$name" "$2"
        shift 2
    done
}

# The demo's second night re-delivers it with one order moved to another day, so the lake must
# drop it from its old partition (and the partition of a day left with no order at all), and one
# order given to another customer.
mkdir -p "$WORK/moved"
cp fixtures/demo/*.csv "$WORK/moved/"
python3 - "$WORK/moved/transactions.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
header, body = rows[0], rows[1:]
at = header.index("ordered_at")
customer = header.index("customer_id")
first = body[0][0]
for row in body:
    if row[0] == first:
        row[at] = "2026-11-15T10:30:00Z"
# Another order goes to another customer: both customers' figures change.
second = next(row[0] for row in body if row[0] != first and row[customer])
other = next(row[customer] for row in body if row[customer] and row[customer] != next(r[customer] for r in body if r[0] == second))
for row in body:
    if row[0] == second:
        row[customer] = other
csv.writer(open(sys.argv[1], "w", encoding="utf-8", newline=""), lineterminator="\n").writerows([header] + body)
PY
series demo pipelines/demo.yml fixtures/demo 2026-11-07 "$WORK/moved" 2026-11-21

# A night under the SQLite engine in between (as after switching back, or `loyalty rebuild`):
# the next Spark night must not trust the lake it left behind.
for engine in sqlite spark; do
    $BIN run --pipeline "$WORK/demo-sqlite.yml" --input fixtures/demo --as-of 2026-11-22 --warehouse "$WORK/demo-$engine.sqlite" \
        --out "$WORK/demo-$engine-out/2026-11-22" > "$WORK/between.log" 2>&1 || { tail -5 "$WORK/between.log"; exit 1; }
done
night demo sqlite "$WORK/demo-sqlite.yml" fixtures/demo 2026-11-23
night demo spark "$WORK/demo-spark.yml" fixtures/demo 2026-11-23
compare demo 2026-11-23

$BIN generate --out "$WORK/generated" --orders 60000 --customers 20000 --products 2000 --seed 7 > /dev/null 2>&1
python3 bench/split_night.py "$WORK/generated" 2026-11-21 "$WORK/split"
echo "generated: $(($(wc -l < "$WORK/generated/transactions.csv") - 1)) lines"
series generated bench/bench.yml "$WORK/split/base" 2026-11-20 "$WORK/split/night" 2026-11-21

sed 's/^segment:$/segment:\n  lookback_days: 365/' bench/bench.yml > "$WORK/sliding.yml"
grep -q 'lookback_days: 365' "$WORK/sliding.yml"
mkdir -p "$WORK/nothing"
head -1 "$WORK/split/night/transactions.csv" > "$WORK/nothing/transactions.csv"
SERIES_STAGING="file://$WORK/staging" series sliding "$WORK/sliding.yml" "$WORK/split/base" 2026-11-20 "$WORK/split/night" 2026-11-21 "$WORK/nothing" 2026-11-22

if [ -e "$WORK/staging" ] && [ -n "$(ls -A "$WORK/staging")" ]; then
    echo "FAIL the Spark job left files in spark.staging: $(ls -A "$WORK/staging")"
    failures=$((failures + 1))
fi

if [ "$failures" -gt 0 ]; then
    echo "spark parity: $failures failure(s)"
    exit 1
fi
echo "spark parity: both engines agree on every night"
