import Foundation
import Yams

/// Who maintains the aggregates (`engine:` in the pipeline file): the embedded SQLite warehouse, or
/// Apache Spark for order lines that outgrow one machine (docs/scale-out.md). The stages after the
/// aggregates do not know which one filled them, so the choice is not part of the config digest.
public enum Engine: String, Equatable, Sendable {
    case sqlite, spark
}

/// The `spark:` section: how the Spark job is started and where it keeps the order lines.
public struct SparkConfig: Equatable, Sendable {
    /// The `spark-submit` to call: a name on PATH or a path (e.g. a virtual environment's
    /// `.venv-spark/bin/spark-submit`, as `make spark-env` makes it).
    public var submit = "spark-submit"
    /// `local[N]`, `local-cluster[workers,cores,MiB]`, `yarn`, `k8s://…`, `spark://…`.
    public var master = "local[2]"
    /// Passed as `--conf KEY=VALUE`, in key order.
    public var conf: [String: String] = [:]
    /// Where the validated order lines are kept as Parquet: a local path, `hdfs://…`, `s3a://…`.
    public var lake: String?
    /// A job still running after this many minutes is stopped and the night fails (nil: no limit).
    public var timeoutMinutes: Int?
    /// A folder every executor reads and writes (`hdfs://…`, `s3a://…`, a shared mount) that the
    /// job's inputs and large results pass through on a cluster; nil: the warehouse's folder,
    /// which local masters see.
    public var staging: String?

    public init() {}

    /// Masters spark-submit accepts, checked here so a typo fails before a JVM starts.
    static func isMaster(_ text: String) -> Bool {
        let patterns = [#"^local$"#, #"^local\[(\*|[1-9][0-9]*)\]$"#, #"^local\[(\*|[1-9][0-9]*),[1-9][0-9]*\]$"#,
                        #"^local-cluster\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*\]$"#, #"^yarn$"#,
                        #"^k8s://\S+$"#, #"^spark://\S+$"#]
        return patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
    }

    static func parse(_ map: inout YAMLMapping) throws -> SparkConfig {
        var spark = SparkConfig()
        if let submit = try map.string("submit") {
            guard !submit.isEmpty else { throw map.fail("submit", "expected the spark-submit to call, a name on PATH or a path") }
            spark.submit = submit
        }
        if let master = try map.string("master") {
            guard isMaster(master) else {
                throw map.fail("master", "expected local[N], local-cluster[workers,cores,MiB], yarn, k8s://HOST:PORT or spark://HOST:PORT; got '\(master)'")
            }
            spark.master = master
        }
        if var conf = try map.mapping("conf") {
            for key in conf.keys {
                guard key.hasPrefix("spark.") else {
                    throw conf.fail(key, "Spark settings start with 'spark.' (spark-submit ignores the others), e.g. spark.executor.memory")
                }
                guard let value = try conf.string(key) else { throw conf.fail(key, "expected a value (text or number)") }
                spark.conf[key] = value
            }
        }
        if let lake = try map.string("lake") {
            guard !lake.isEmpty else { throw map.fail("lake", "expected a folder or URL for the order lines (a path, hdfs://…, s3a://…)") }
            spark.lake = lake
        }
        spark.timeoutMinutes = try map.int("timeout_minutes", in: 1...10_080)
        if let staging = try map.string("staging") {
            guard !staging.isEmpty else {
                throw map.fail("staging", "expected a folder or URL every executor can read and write (hdfs://…, s3a://…, a shared mount)")
            }
            spark.staging = staging
        }
        return spark
    }
}
