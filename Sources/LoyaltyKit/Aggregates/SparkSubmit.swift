import Foundation
import Logging

/// Starts a job of the repository's `spark/` folder with `spark-submit` and watches it: the
/// pipeline passes parameters in a spec file, and a job that fails becomes a `LoyaltyError.engine`
/// naming the stage and the first lines of the Spark error, with the whole log kept.
struct SparkSubmit {
    let config: SparkConfig
    let stage: String
    let logger: Logger
    /// `spark.timeout_minutes` in seconds (tests set less than a minute).
    var timeoutSeconds: Double?

    init(config: SparkConfig, stage: String, logger: Logger) {
        self.config = config
        self.stage = stage
        self.logger = logger
        timeoutSeconds = config.timeoutMinutes.map { Double($0) * 60 }
    }

    /// Runs `job` (a file in `spark/`) with `spec` as its argument; its output goes to `log`.
    func run(job: String, spec: String, log: String, failureLog: String) throws {
        let submit = try Self.executable(config.submit, stage: stage)
        try Self.requireJava(stage: stage)
        let script = try Self.jobFile(job, stage: stage)
        // Defaults first: a spark.conf of the pipeline file with the same key comes later and wins.
        var arguments = ["--master", config.master, "--name", "loyalty \(stage)"]
        for (key, value) in Self.defaults { arguments += ["--conf", "\(key)=\(value)"] }
        for key in config.conf.keys.sorted() { arguments += ["--conf", "\(key)=\(config.conf[key]!)"] }
        arguments += [script, spec]
        // A virtual environment's spark-submit finds Spark through its own python, which must come first.
        var environment = ProcessInfo.processInfo.environment
        let folder = (submit as NSString).deletingLastPathComponent
        environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        if environment["PYSPARK_PYTHON"] == nil, FileManager.default.isExecutableFile(atPath: folder + "/python") {
            environment["PYSPARK_PYTHON"] = folder + "/python"
        }
        guard FileManager.default.createFile(atPath: log, contents: nil), let output = FileHandle(forWritingAtPath: log) else {
            throw LoyaltyError.io(path: log, message: "cannot create the Spark job's log")
        }
        defer { try? output.close() }
        logger.info("\(stage): Spark job \(job) started", metadata: ["master": "\(config.master)"])
        let started = Date()
        let ending: SparkJobProcess.Ending
        do {
            ending = try SparkJobProcess.run([submit] + arguments, environment: environment, log: output, timeoutSeconds: timeoutSeconds)
        } catch {
            throw LoyaltyError.engine(stage: stage, message: "cannot start \(submit): \(error)")
        }
        logger.info("\(stage): Spark job \(job) ended", metadata: [
            "ending": "\(ending)", "seconds": "\(PipelineRunner.rounded(Date().timeIntervalSince(started)))",
        ])
        guard ending != .exited(0) else { return }
        try? FileManager.default.removeItem(atPath: failureLog)
        try? FileManager.default.copyItem(atPath: log, toPath: failureLog)
        let how: String
        switch ending {
        case let .stopped(reason):
            throw LoyaltyError.engine(stage: stage, message: "the Spark job \(job) was stopped because \(reason); its log so far is in \(failureLog)")
        case let .exited(code): how = "exit \(code)"
        case let .killed(signal): how = "killed by signal \(signal)"
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw LoyaltyError.engine(stage: stage, message: "the Spark job \(job) failed (\(how)): \(Self.firstError(in: text)); "
            + "its whole log is in \(failureLog)")
    }

    /// A night's aggregates are small next to the lines: a few shuffle partitions (Spark's 200 are
    /// for big joins) and no web UI on the driver. Clusters set their own in spark.conf.
    static let defaults = [("spark.ui.enabled", "false"), ("spark.sql.shuffle.partitions", "8")]

    /// The lines of a Spark log that say what went wrong: a Python traceback's last line, and the
    /// first exception or error lines, at most `limit`, without the INFO and WARN chatter.
    static func firstError(in log: String, limit: Int = 5) -> String {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: true).map { String($0) }
        var picked: [String] = []
        for line in lines {
            let isChatter = line.contains(" INFO ") || line.contains(" WARN ") || line.hasPrefix("\tat ") || line.hasPrefix("  File ")
            let says = line.contains("Error") || line.contains("Exception") || line.contains(" ERROR ")
            let text = line.trimmingCharacters(in: .whitespaces)
            if says && !isChatter && !picked.contains(text) { picked.append(text) }
            if picked.count >= limit { break }
        }
        if picked.isEmpty { picked = Array(lines.suffix(3)) }
        return picked.isEmpty ? "no output" : picked.joined(separator: " | ")
    }

    /// `name` on PATH, or a path (relative to the working folder) to an executable.
    static func executable(_ name: String, stage: String) throws -> String {
        let candidates: [String]
        if name.contains("/") {
            candidates = [name]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/\(name)" }
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return URL(fileURLWithPath: found).standardizedFileURL.path
        }
        throw LoyaltyError.engine(stage: stage, message: "engine: spark needs spark-submit, and '\(name)' (spark.submit) "
            + (name.contains("/") ? "is not an executable file" : "is not on PATH")
            + ". Install the pinned pyspark with `make spark-env` (a virtual environment in .venv-spark) and set "
            + "spark.submit: .venv-spark/bin/spark-submit, or point spark.submit at a Spark installation's bin/spark-submit")
    }

    /// Spark runs on the JVM: JAVA_HOME's java, or java on PATH.
    static func requireJava(stage: String) throws {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["JAVA_HOME"], FileManager.default.isExecutableFile(atPath: home + "/bin/java") { return }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        if path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/java") }) { return }
        throw LoyaltyError.engine(stage: stage, message: "engine: spark needs a Java 17 runtime and finds no java (JAVA_HOME "
            + "unset and none on PATH): install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    }

    /// The job's file: `$LOYALTY_SPARK_DIR/NAME`, else `spark/NAME` in the checkout the binary was
    /// built in (it sits in `.build/…` below it), else in the working folder.
    static func jobFile(_ name: String, stage: String) throws -> String {
        var folders: [String] = []
        if let folder = ProcessInfo.processInfo.environment["LOYALTY_SPARK_DIR"] { folders.append(folder) }
        // The running binary's own path (argv[0] is a bare name when PATH found it).
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: binary).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            folders.append(directory.appendingPathComponent("spark").path)
            directory.deleteLastPathComponent()
        }
        folders.append(FileManager.default.currentDirectoryPath + "/spark")
        if let found = folders.map({ $0 + "/" + name }).first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw LoyaltyError.engine(stage: stage, message: "engine: spark cannot find the job spark/\(name) (looked in "
            + folders.joined(separator: ", ") + "): run from the checkout or set LOYALTY_SPARK_DIR to its spark folder")
    }
}
