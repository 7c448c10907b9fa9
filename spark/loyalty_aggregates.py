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
- `tables`: name, columns, key_columns, kind and the reference SQL of each aggregate
  (AggregateDefinitions, Spark dialect). Kind `order` (agg_order, all history) is computed for
  the touched orders alone; the others over the window's lines, or with `delta`:
- `delta`: true when the binary applies changes rather than whole tables. The job then reads the
  lines of the affected orders and of every order of the affected customers
  (`affected_orders`, `affected_customers`) as they were (in `old_window_dates`; those of the
  partitions it replaces are kept in `old_lines` before the lake changes) and as they are now (in
  `window_dates`). Kind `customer` gets the definition's rows over the lines now (the binary
  replaces those customers' rows); kinds `summed` and `summed_one_row` get the rows over the lines
  now minus the rows over the lines as they were (`sql_old`: the definition in the old window),
  without the keys that do not change: every value column is a sum over orders and customers, so
  the binary adds these to its rows;
- `output`: where each table's rows go, as headerless CSV part files under OUTPUT/NAME/ (a local
  folder: small results are written by this process);
- `summary`: where this job writes what it did (JSON: rows per table, partitions, seconds), kept
  with the job's folder for a look (LOYALTY_SPARK_KEEP=1);
- `staging` (optional, `spark.staging`): a folder every executor reads and writes. The inputs
  above are local files of the binary's machine (this driver's, in client mode); with `staging`
  they are copied there first, the old lines and the large results are written there, and the
  results copied back to `output`; the folder is removed at the end, failed or not (a killed job's
  at the start of the next). Without it the local files
  are read where they are, which only local and local-cluster masters can;
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
import urllib.parse

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
    staging = Staging(spark, spec)
    try:
        run(spark, spec, staging, started)
    finally:
        staging.remove()
    spark.stop()


def run(spark, spec, staging, started):
    """Rewrites the lake's partitions and writes the aggregates' rows, as the spec says."""
    lines = spark.read.csv(spec["lines"], schema=LINE_SCHEMA, header=False)
    lines = with_order_date(lines)
    phase("spark session started")
    delta = spec.get("delta", False)
    if delta:
        affected_orders = spark.read.csv(spec["affected_orders"], schema=key_schema("order_key"), header=False).cache()
        affected_customers = spark.read.csv(spec["affected_customers"], schema=key_schema("customer_key"), header=False).cache()
        # Only the partitions about to be replaced change; their affected lines are kept first.
        dirty = spec["dirty_dates"]
        if dirty:
            replaced = lake_on(spark, spec, spec["old_window_dates"]).where(F.col("order_date").isin(dirty))
            affected_lines(replaced, affected_orders, affected_customers).write.mode("overwrite").parquet(spec["old_lines"])
        phase(f"the affected lines of the {len(dirty)} partitions to replace kept")
    rewritten = write_lake(spark, spec, lines)
    phase(f"lake: {len(rewritten)} partitions written")

    products = spark.read.csv(spec["products"], schema=StructType([
        StructField("product_key", LongType(), False), StructField("category_key", LongType(), True)]), header=False)
    products.createOrReplaceTempView("product")
    products.cache()
    if delta:
        # One pass over the partitions both windows span finds the affected lines as they are;
        # as they were, they are the same outside the replaced partitions.
        span = spanning(spec["old_window_dates"], spec["window_dates"])
        now = affected_lines(lake_on(spark, spec, span), affected_orders, affected_customers).cache()
        # Not cached themselves: the summed tables switch the order_line view between the two,
        # and replacing a view drops its plan's cache. Both are cheap to derive again.
        new_lines = in_dates(now, spec["window_dates"]).select(*LINE_COLUMNS)
        old_lines = in_dates(now.where(~F.col("order_date").isin(dirty)), spec["old_window_dates"]).select(*LINE_COLUMNS)
        if dirty:
            kept = spark.read.schema(LAKE_SCHEMA).parquet(spec["old_lines"]).select(*LINE_COLUMNS).cache()
            old_lines = old_lines.unionByName(kept)
        phase(f"the affected lines: {old_lines.count()} as they were, {new_lines.count()} now")
    else:
        # Read once: every definition scans the lines again, and listing the partitions costs most.
        new_lines = lake_on(spark, spec, spec["window_dates"]).select(*LINE_COLUMNS).cache()
    touched = spark.read.csv(spec["touched"], schema=key_schema("order_key"), header=False)
    touched_lines = lines.join(touched, "order_key").select(*LINE_COLUMNS).cache()

    rows = {}
    for table in spec["tables"]:
        if table["kind"] == "order":
            result = rows_over(spark, touched_lines, table["sql"], table)
        elif delta and table["kind"] != "customer":
            result = difference(rows_over(spark, new_lines, table["sql"], table),
                                rows_over(spark, old_lines, table["sql_old"], table), table)
        else:
            result = rows_over(spark, new_lines, table["sql"], table)
        rows[table["name"]] = write_rows(result, f"{spec['output']}/{table['name']}", staging)
        phase(f"{table['name']}: {rows[table['name']]} rows")

    with open(spec["summary"], "w", encoding="utf-8") as out:
        json.dump({"tables": rows, "partitions_rewritten": rewritten, "delta": delta, "seconds": round(time.time() - started, 3)}, out)


def key_schema(name):
    """A headerless CSV of one key column."""
    return StructType([StructField(name, LongType(), False)])


def lake_on(spark, spec, dates):
    """The lake's lines with their partition, on the dates from dates[0] to dates[1] (all: None)."""
    return in_dates(spark.read.schema(LAKE_SCHEMA).parquet(spec["lake"]), dates)


def in_dates(lines, dates):
    if dates is None:
        return lines
    return lines.where((F.col("order_date") >= F.lit(dates[0])) & (F.col("order_date") <= F.lit(dates[1])))


def spanning(a, b):
    """The dates from the first of two ranges' starts to the last of their ends."""
    return None if a is None or b is None else [min(a[0], b[0]), max(a[1], b[1])]


class Staging:
    """With `staging`: the job's local inputs copied to a folder the executors share, the spec
    pointed at the copies, and large results written there and fetched back."""

    INPUTS = ["lines", "touched", "products", "affected_orders", "affected_customers"]

    def __init__(self, spark, spec):
        self.folder = spec.get("staging")
        if not self.folder:
            return
        jvm = spark._jvm
        self.path = jvm.org.apache.hadoop.fs.Path
        self.fs = self.path(self.folder).getFileSystem(spark._jsc.hadoopConfiguration())
        self.fs.delete(self.path(self.folder), True)  # a killed run's leftovers
        self.fs.mkdirs(self.path(self.folder))
        for key in self.INPUTS:
            if spec.get(key):
                copy = f"{self.folder}/{key}"
                self.fs.copyFromLocalFile(False, True, self.path(spec[key]), self.path(copy))
                spec[key] = copy
        if spec.get("old_lines"):
            spec["old_lines"] = f"{self.folder}/old_lines"
        phase(f"inputs copied to {self.folder}")

    def write(self, result, folder):
        """Writes `result` as CSV part files into the local `folder`, through the staging folder."""
        if not self.folder:
            result.write.mode("overwrite").csv(folder, header=False, nullValue="", emptyValue="")
            return
        shared = f"{self.folder}/out/{os.path.basename(local_path(folder))}"
        result.write.mode("overwrite").csv(shared, header=False, nullValue="", emptyValue="")
        os.makedirs(os.path.dirname(local_path(folder)), exist_ok=True)
        self.fs.copyToLocalFile(False, self.path(shared), self.path(folder), True)

    def remove(self):
        if self.folder:
            self.fs.delete(self.path(self.folder), True)


def write_rows(result, folder, staging):
    """Writes a table's rows as headerless CSV part files (NULL: empty); returns their count. Up
    to SMALL rows (a night's changes) are fetched in one Spark job and written here, sparing a
    count and Spark's file commit."""
    result = result.cache()
    first = result.limit(SMALL + 1).collect()
    if len(first) <= SMALL:
        os.makedirs(local_path(folder), exist_ok=True)
        with open(os.path.join(local_path(folder), "part-00000.csv"), "w", encoding="utf-8") as out:
            for row in first:
                out.write(",".join("" if value is None else str(value) for value in row) + "\n")
        count = len(first)
    else:
        count = result.count()
        staging.write(result, folder)
    result.unpersist()
    return count


SMALL = 100_000


def local_path(url):
    """The path of a file:// URL (the binary's folders), as Python's open needs it."""
    parsed = urllib.parse.urlparse(url)
    return urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else url


def affected_lines(lines, orders, customers):
    """Every line of the affected orders and of the affected customers' orders, in one pass: an
    order belongs to one customer (ingest rejects one that does not), so whole orders and whole
    customers are kept, and each definition sees an order and a customer as they are."""
    customers = customers.withColumn("affected_customer", F.lit(True))
    orders = orders.withColumn("affected_order", F.lit(True))
    return (lines.join(customers, "customer_key", "left").join(orders, "order_key", "left")
            .where(F.col("affected_customer").isNotNull() | F.col("affected_order").isNotNull())
            .select(*lines.columns))


def rows_over(spark, lines, sql, table):
    """A definition's rows with `lines` as its order_line."""
    lines.createOrReplaceTempView("order_line")
    return spark.sql(sql).select(*table["columns"])


def difference(new, old, table):
    """The new rows minus the old, by key, without the keys whose values do not change."""
    keys = table["columns"][:table["key_columns"]]
    values = table["columns"][table["key_columns"]:]
    negated = old.select(*keys, *[(-F.coalesce(F.col(v), F.lit(0))).alias(v) for v in values])
    summed = (new.select(*keys, *[F.coalesce(F.col(v), F.lit(0)).alias(v) for v in values]).unionByName(negated)
              .groupBy(*keys).agg(*[F.sum(v).alias(v) for v in values]))
    return summed.where(" OR ".join(f"{v} != 0" for v in values)).select(*table["columns"])


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
