import Foundation
import Testing
@testable import LoyaltyKit

/// `engine: spark` without Spark: what the pipeline does when spark-submit is missing or its job
/// fails. The parity of the two engines, with Spark, is `make test-spark`.
@Suite struct SparkEngineTests {
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
}
