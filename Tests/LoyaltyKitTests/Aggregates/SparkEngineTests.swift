import Foundation
import Logging
import Testing
@testable import LoyaltyKit

/// `engine: spark` without Spark: what the pipeline does when spark-submit is missing or its job
/// fails. The parity of the two engines, with Spark, is `make test-spark`. Serialized: a running job
/// takes over the process's SIGINT, SIGTERM and SIGHUP.
@Suite(.serialized) struct SparkEngineTests {
    @Test func missingSparkSubmitNamesWhatToInstall() {
        #expect {
            _ = try SparkSubmit.executable("no-such-spark-submit", stage: "ingest")
        } throws: { error in
            guard case let LoyaltyError.engine(stage, message) = error else { return false }
            return stage == "ingest" && message.contains("'no-such-spark-submit' (spark.submit) is not on PATH")
                && message.contains("make spark-env")
        }
        #expect(throws: LoyaltyError.self) { _ = try SparkSubmit.executable("/nonexistent/bin/spark-submit", stage: "ingest") }
    }

    @Test func theFirstErrorLinesOfASparkLogAreKept() {
        let log = """
            26/12/07 16:08:54 INFO SparkContext: Running Spark version 4.3.0
            26/12/07 16:08:55 WARN NativeCodeLoader: Unable to load native-hadoop library
            Traceback (most recent call last):
              File "/repo/spark/loyalty_aggregates.py", line 60, in main
                result = spark.sql(table["sql"])
            pyspark.errors.exceptions.captured.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `product` cannot be found.
            \tat org.apache.spark.sql.catalyst.analysis.package$AnalysisErrorAt.failAnalysis(package.scala:52)
            26/12/07 16:08:56 INFO SparkContext: Successfully stopped SparkContext
            """
        #expect(SparkSubmit.firstError(in: log)
            == "pyspark.errors.exceptions.captured.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `product` cannot be found.")
        #expect(SparkSubmit.firstError(in: "just\nthree\nlines\nof output") == "three | lines | of output")
    }

    /// The night's loads stay in order_line (each file commits on its own, as with SQLite) and
    /// reach the aggregates on the next run; the aggregates and the outputs do not move.
    @Test func aFailingSparkJobLeavesTheAggregatesAndOutputsAsTheyWere() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-07")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let before = try AggregateDefinitions.tables.map { try tableDigest(warehouse, $0.name, orderBy: "1, 2") }
        let state = try scalar(warehouse, "SELECT new_orders_from FROM aggregate_state")

        // A spark-submit that fails as a Python job does: a traceback, exit 1.
        let submit = root + "/bin/spark-submit"
        try write("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\necho 'ValueError: the lake is not reachable' >&2\nexit 1\n", to: submit)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: submit)
        try write("engine: spark\nspark:\n  submit: \(submit)\n  lake: \(root)/lake\n", to: root + "/spark.yml")
        // The second night's delivery: the same files once more, a day later.
        #expect {
            try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-08", pipeline: root + "/spark.yml")
        } throws: { error in
            guard let failure = error as? StageFailure, failure.exitCode == 1,
                  case let LoyaltyError.engine(stage, message) = failure.underlying else { return false }
            return stage == "ingest" && message.contains("ValueError: the lake is not reachable")
                && message.contains("(exit 1)") && message.contains(root + "/warehouse.sqlite.spark-failed.log")
        }
        #expect(try AggregateDefinitions.tables.map { try tableDigest(warehouse, $0.name, orderBy: "1, 2") } == before)
        #expect(try scalar(warehouse, "SELECT new_orders_from FROM aggregate_state") == state)
        #expect(!FileManager.default.fileExists(atPath: root + "/out/2026-11-08/offers.csv"))
        #expect(!FileManager.default.fileExists(atPath: root + "/warehouse.sqlite.spark-work"))
    }

    /// A night's job computes changes only from a lake that is as the aggregates were computed
    /// from, with every product in its category: otherwise the window is recomputed, or the lake
    /// rewritten.
    @Test func changesAreAppliedOnlyToALakeTheAggregatesCameFrom() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-07", selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let window = try #require(try AggregateMaintenance.stateWindow(warehouse))
        let timezone = try warehouse.database.read { db in try String.fetchOne(db, sql: "SELECT timezone FROM aggregate_state") ?? "" }
        let lake = root + "/lake"
        func plan() throws -> SparkAggregates.Plan {
            try warehouse.database.read { db in try SparkAggregates.Plan(db, lake: lake, window: window, timezone: timezone) }
        }
        // Maintained under SQLite: the lake is not trusted.
        #expect(try plan().full)
        try warehouse.database.write { db in
            try db.execute(sql: """
                CREATE TABLE aggregate_lake (id INTEGER PRIMARY KEY CHECK (id = 1), lake TEXT NOT NULL);
                INSERT INTO aggregate_lake (id, lake) VALUES (1, ?);
                CREATE TABLE aggregate_lake_dirty (day INTEGER PRIMARY KEY);
                """, arguments: [lake])
        }
        #expect(try !plan().full && plan().oldWindow == window)
        #expect(try warehouse.database.read { db in try SparkAggregates.Plan(db, lake: root + "/other", window: window, timezone: timezone) }.full)
        // A job that failed after touching the lake: its partitions are no longer as they were.
        try warehouse.database.write { db in try db.execute(sql: "INSERT INTO aggregate_lake_dirty (day) VALUES (20400)") }
        #expect(try !plan().full && plan().oldWindow == nil)
        try warehouse.database.write { db in try db.execute(sql: "DELETE FROM aggregate_lake_dirty") }
        // A product in another category changes the category figures of every order it is in.
        try warehouse.database.write { db in
            try db.execute(sql: """
                UPDATE product SET category_key = (SELECT MIN(category_key) FROM category WHERE category_key <> product.category_key)
                WHERE product_key = (SELECT MIN(product_key) FROM product WHERE category_key IS NOT NULL)
                """)
        }
        #expect(try !plan().full && plan().oldWindow == nil)
    }

    /// A fake spark-submit whose process group holds a grandchild (as the JVM's Python job and
    /// executors are): it writes that child's pid and waits for it.
    private func hangingSubmit(in root: String) throws -> (submit: String, childPid: String) {
        let submit = root + "/bin/spark-submit", childPid = root + "/child.pid"
        try write("#!/bin/sh\nsleep 300 &\necho $! > \(childPid)\nwait\n", to: submit)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: submit)
        try write("{}", to: root + "/spec.json")
        return (submit, childPid)
    }

    private func runs(_ pidFile: String) throws -> Bool {
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // An unreaped child of a dead shell is a zombie: ended, though its /proc entry stays.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = stat.split(separator: ")").last?.split(separator: " ").first else { return false }
        return state != "Z" && state != "X"
    }

    private func submitter(_ submit: String) -> SparkSubmit {
        var config = SparkConfig()
        config.submit = submit
        return SparkSubmit(config: config, stage: "ingest", logger: Logger(label: "test"))
    }

    @Test func aJobPastItsTimeoutIsStoppedWithItsWholeProcessGroup() throws {
        let root = try temporaryFolder()
        let (submit, childPid) = try hangingSubmit(in: root)
        var spark = submitter(submit)
        spark.timeoutSeconds = 1
        let started = Date()
        #expect {
            try spark.run(job: "loyalty_aggregates.py", spec: root + "/spec.json", log: root + "/spark.log", failureLog: root + "/failed.log")
        } throws: { error in
            guard case let LoyaltyError.engine(stage, message) = error else { return false }
            return stage == "ingest" && message.contains("was stopped because it ran past spark.timeout_minutes")
                && message.contains(root + "/failed.log")
        }
        #expect(Date().timeIntervalSince(started) < SparkJobProcess.graceSeconds)
        #expect(try !runs(childPid))
    }

    @Test func aSignalToLoyaltyStopsTheJobAndFailsTheStage() throws {
        let root = try temporaryFolder()
        let (submit, childPid) = try hangingSubmit(in: root)
        // As a scheduler stopping the night would: SIGTERM to loyalty alone, not to the job's group.
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { kill(getpid(), SIGTERM) }
        #expect {
            try submitter(submit).run(job: "loyalty_aggregates.py", spec: root + "/spec.json", log: root + "/spark.log",
                                      failureLog: root + "/failed.log")
        } throws: { error in
            guard case let LoyaltyError.engine(_, message) = error else { return false }
            return message.contains("was stopped because loyalty received SIGTERM")
        }
        #expect(try !runs(childPid))
    }
}
