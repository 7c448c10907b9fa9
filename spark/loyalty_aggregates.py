"""The Spark side of `engine: spark`: keeps the order lines in the lake and computes the aggregates.

Started by the loyalty binary with spark-submit, never by hand:

    spark-submit --master MASTER [--conf K=V ...] spark/loyalty_aggregates.py SPEC.json

SPEC.json (written by Sources/LoyaltyKit/Aggregates/SparkAggregates.swift) gives:
- `timezone`: the pipeline's; the SQL functions local_day, local_hour, weekday_of_day and
  month_of_day are defined here with it, as SQLite's are in AggregateFunctions;
- `lake`: the folder or URL of the order lines, Parquet partitioned by `order_date` (the UTC date
  of the order's time, its first line's ordered_at);
- `full`: true to replace the whole lake with `lines`; otherwise `lines` holds every line of the
  partitions in `dirty_dates` (where the touched orders were and are, and those of a job that
  failed since), as the warehouse has them, and those partitions are replaced whole;
- `touched`: the keys of the orders loaded since the last maintenance (their agg_order rows);
- `products`: product_key, category_key (the `product` table the definitions join);
- `window_dates`: the first and last order_date the figures window can hold (null: all history);
- `tables`: name, columns and the reference SQL of each aggregate (AggregateDefinitions, Spark
  dialect), and `lines`: `touched` for agg_order (all history, so only the touched orders' rows
  are computed) or `window`;
- `output`: where each table's rows go, as headerless CSV under OUTPUT/NAME/;
- `summary`: where this job writes what it did (JSON: rows per table, partitions, seconds), kept
  with the job's folder for a look (LOYALTY_SPARK_KEEP=1);
- `parent_pid`: the loyalty process. The job stops when it is gone: loyalty stops the job's
  process group on SIGINT, SIGTERM, SIGHUP and its timeout, but cannot when killed outright, and
  a job that outlived its night would race the next one on the lake.

Any failure exits non-zero with the Python or Spark error on stderr; the binary then reports it
and leaves the aggregates as they were; the partitions it was to rewrite stay marked in the
warehouse, and the next run rewrites them from the warehouse's lines.
"""
import json
import os
import sys
import threading
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

LINE_COLUMNS = ["order_key", "product_key", "line_no", "customer_key", "ordered_at", "quantity", "amount_minor",
                "bonus_earned_minor", "bonus_spent_minor"]
LINE_SCHEMA = StructType([StructField(name, LongType(), True) for name in LINE_COLUMNS])
LAKE_SCHEMA = StructType(LINE_SCHEMA.fields + [StructField("order_date", StringType(), True)])


def phase(name, started=[time.time()]):
    """A progress line in the job's log: what finished, and its seconds."""
    now = time.time()
    print(f"loyalty: {name} in {now - started[0]:.2f} s", file=sys.stderr, flush=True)
    started[0] = now


def stop_when_gone(pid, every_seconds=2.0):
    """Ends this job (and so the driver, which exits with it) once process `pid` has ended."""
    def gone():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        try:  # a parent nobody reaped is a zombie: ended, though kill still finds it
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return False

    def watch():
        while not gone():
            time.sleep(every_seconds)
        print(f"loyalty: the loyalty process {pid} has ended; stopping this job", file=sys.stderr, flush=True)
        os._exit(3)

    threading.Thread(target=watch, name="stop-when-loyalty-is-gone", daemon=True).start()


def main():
    started = time.time()
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    if spec.get("parent_pid"):
        stop_when_gone(int(spec["parent_pid"]))
    spark = (SparkSession.builder.appName("loyalty aggregates")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    define_functions(spark, spec["timezone"])

    lines = spark.read.csv(spec["lines"], schema=LINE_SCHEMA, header=False)
    lines = with_order_date(lines)
    phase("spark session started")
    rewritten = write_lake(spark, spec, lines)
    phase(f"lake: {len(rewritten)} partitions written")

    products = spark.read.csv(spec["products"], schema=StructType([
        StructField("product_key", LongType(), False), StructField("category_key", LongType(), True)]), header=False)
    products.createOrReplaceTempView("product")
    lake = spark.read.schema(LAKE_SCHEMA).parquet(spec["lake"])
    first, last = spec["window_dates"] or (None, None)
    if first is not None:
        lake = lake.where((F.col("order_date") >= F.lit(first)) & (F.col("order_date") <= F.lit(last)))
    # Read once: every definition scans the lines again, and listing the partitions costs most.
    window_lines = lake.select(*LINE_COLUMNS).cache()
    touched = spark.read.csv(spec["touched"], schema=StructType([StructField("order_key", LongType(), False)]), header=False)
    touched_lines = lines.join(touched, "order_key").select(*LINE_COLUMNS).cache()
    products.cache()

    rows = {}
    for table in spec["tables"]:
        (touched_lines if table["lines"] == "touched" else window_lines).createOrReplaceTempView("order_line")
        result = spark.sql(table["sql"]).select(*table["columns"]).cache()
        rows[table["name"]] = result.count()
        result.write.mode("overwrite").csv(f"{spec['output']}/{table['name']}", header=False, nullValue="", emptyValue="")
        result.unpersist()
        phase(f"{table['name']}: {rows[table['name']]} rows")

    with open(spec["summary"], "w", encoding="utf-8") as out:
        json.dump({"tables": rows, "partitions_rewritten": rewritten, "seconds": round(time.time() - started, 3)}, out)
    spark.stop()


def define_functions(spark, timezone):
    """The definitions' SQL functions, in the pipeline's time zone (days count from 1970-01-01)."""
    zone = timezone.replace("'", "")
    local = f"from_utc_timestamp(timestamp_seconds(t), '{zone}')"
    spark.sql(f"CREATE TEMPORARY FUNCTION local_day(t BIGINT) RETURNS BIGINT "
              f"RETURN datediff(to_date({local}), DATE'1970-01-01')")
    spark.sql(f"CREATE TEMPORARY FUNCTION local_hour(t BIGINT) RETURNS BIGINT RETURN hour({local})")
    # dayofweek: 1 = Sunday … 7 = Saturday; the definitions count 0 = Monday.
    spark.sql("CREATE TEMPORARY FUNCTION weekday_of_day(d BIGINT) RETURNS BIGINT "
              "RETURN (dayofweek(date_add(DATE'1970-01-01', CAST(d AS INT))) + 5) % 7")
    spark.sql("CREATE TEMPORARY FUNCTION month_of_day(d BIGINT) RETURNS BIGINT "
              "RETURN year(date_add(DATE'1970-01-01', CAST(d AS INT))) * 12 + month(date_add(DATE'1970-01-01', CAST(d AS INT))) - 1")


def with_order_date(lines):
    """Adds the partition column: the UTC date of the order's time (its first line's ordered_at)."""
    first = lines.groupBy("order_key").agg(F.min("ordered_at").alias("order_time"))
    return (lines.join(first, "order_key")
            .withColumn("order_date", F.date_format(F.timestamp_seconds("order_time"), "yyyy-MM-dd"))
            .drop("order_time"))


def write_lake(spark, spec, lines):
    """Replaces the lake's dirty partitions (all of them on a full run) with `lines`, which hold
    every line of those partitions as the warehouse has them: nothing is patched, so a rerun after
    any failure writes the same partitions again. Returns the partitions written."""
    lake = spec["lake"]
    lines = lines.repartition("order_date")
    if spec["full"]:
        lines.write.mode("overwrite").option("partitionOverwriteMode", "static").partitionBy("order_date").parquet(lake)
        return sorted(r.order_date for r in lines.select("order_date").distinct().collect())
    dates = sorted(spec["dirty_dates"])
    if not dates:
        return []
    lines.write.mode("overwrite").option("partitionOverwriteMode", "dynamic").partitionBy("order_date").parquet(lake)
    # A dirty partition without lines now (its orders moved away) is not overwritten: delete it.
    present = {r.order_date for r in lines.select("order_date").distinct().collect()}
    fs_path = spark._jvm.org.apache.hadoop.fs.Path
    fs = fs_path(lake).getFileSystem(spark._jsc.hadoopConfiguration())
    for d in dates:
        if d not in present:
            fs.delete(fs_path(f"{lake}/order_date={d}"), True)
    return dates


if __name__ == "__main__":
    main()
