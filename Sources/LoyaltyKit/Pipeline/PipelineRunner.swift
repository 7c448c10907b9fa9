import Foundation
import GRDB
import Logging

/// Which stages of the list a run executes.
public enum StageSelection: Equatable, Sendable {
    case all
    case only(String)
    case from(String)

    /// - Throws: `LoyaltyError.usage` when both are given.
    public init(only: String?, from: String?) throws {
        switch (only, from) {
        case (nil, nil): self = .all
        case let (only?, nil): self = .only(only)
        case let (nil, from?): self = .from(from)
        default: throw LoyaltyError.usage("give either --only or --from, not both")
        }
    }
}

/// A run that stopped in a stage: which stage, and why.
public struct StageFailure: Error, CustomStringConvertible {
    public let stage: String
    public let underlying: Error

    public var exitCode: Int32 { (underlying as? LoyaltyError)?.exitCode ?? 1 }
    public var description: String { "stage \(stage) failed: \(underlying)" }
}

/// The outcome of a successful run, for the CLI to print.
public struct RunResult: Sendable {
    public var runKey: Int64
    public var outputDirectory: String
    public var stages: [(name: String, seconds: Double, report: StageReport)]
    public var outputs: [String: Int]
}

/// Runs a list of stages in order against one warehouse: takes the lock, records the run and each
/// stage in the ledger, stages outputs and moves them into place only when every stage succeeded.
/// It knows nothing of particular stages; `NightlyPipeline` gives it the list.
public struct PipelineRunner {
    public let stages: [Stage]
    public let logger: Logger

    public init(stages: [Stage], logger: Logger) {
        self.stages = stages
        self.logger = logger
    }

    /// The stages `selection` picks, in pipeline order.
    /// - Throws: `LoyaltyError.usage` for a stage name that is not in the list.
    public func select(_ selection: StageSelection) throws -> [Stage] {
        func index(of name: String) throws -> Int {
            guard let index = stages.firstIndex(where: { $0.name == name }) else {
                let known = stages.map(\.name).joined(separator: ", ")
                throw LoyaltyError.usage("unknown or not yet available stage '\(name)' (available: \(known))")
            }
            return index
        }
        switch selection {
        case .all: return stages
        case let .only(name): return [stages[try index(of: name)]]
        case let .from(name): return Array(stages[try index(of: name)...])
        }
    }

    public func run(settings: RunSettings, selection: StageSelection, command: String) throws -> RunResult {
        let selected = try select(selection)
        let clock = try ZoneClock(identifier: settings.config.timezone)
        let lock = try RunLock(warehousePath: settings.warehousePath)
        defer { lock.release() }
        let warehouse = try Warehouse(path: settings.warehousePath, phoneRules: settings.config.ingest.phoneRules)
        let startedAt = Date()
        let runKey = try warehouse.database.write { db -> Int64 in
            try db.execute(
                sql: "INSERT INTO run (command, as_of, config_digest, started_at, status) VALUES (?, ?, ?, ?, 'running')",
                arguments: [command, settings.asOfText, settings.config.digest, Self.timestamp(startedAt)])
            return db.lastInsertedRowID
        }
        logger.info("run \(runKey) started", metadata: [
            "as_of": "\(settings.asOfText)", "stages": "\(selected.map(\.name).joined(separator: ","))",
            "warehouse": "\(settings.warehousePath)",
        ])
        let outputs = try OutputFolder(directory: settings.outputDirectory, runKey: runKey, clearingEarlierRuns: true)
        var finished: [(name: String, seconds: Double, report: StageReport)] = []
        for stage in selected {
            let stageStart = Date()
            try record(warehouse) { db in
                try db.execute(sql: "INSERT INTO stage_run (run_key, stage, started_at, status) VALUES (?, ?, ?, 'running')",
                               arguments: [runKey, stage.name, Self.timestamp(stageStart)])
            }
            let context = StageContext(settings: settings, warehouse: warehouse, outputs: outputs, logger: logger,
                                       runKey: runKey, clock: clock, stage: stage)
            do {
                let report = try stage.run(context)
                let seconds = Date().timeIntervalSince(stageStart)
                try record(warehouse) { db in
                    try db.execute(sql: "UPDATE stage_run SET status = 'succeeded', seconds = ?, rows_written = ? WHERE run_key = ? AND stage = ?",
                                   arguments: [seconds, report.rowsWritten, runKey, stage.name])
                }
                logger.info("stage \(stage.name) done", metadata: ["seconds": "\(Self.rounded(seconds))", "rows": "\(report.rowsWritten)"])
                finished.append((stage.name, seconds, report))
            } catch {
                outputs.discard()
                let message = "\(error)"
                try? record(warehouse) { db in
                    try db.execute(sql: "UPDATE stage_run SET status = 'failed', seconds = ?, message = ? WHERE run_key = ? AND stage = ?",
                                   arguments: [Date().timeIntervalSince(stageStart), message, runKey, stage.name])
                    try db.execute(sql: "UPDATE run SET status = 'failed', finished_at = ?, message = ? WHERE run_key = ?",
                                   arguments: [Self.timestamp(Date()), "stage \(stage.name): \(message)", runKey])
                }
                throw StageFailure(stage: stage.name, underlying: error)
            }
        }
        do {
            let manifest = RunManifest(
                runKey: runKey, command: command, settings: settings, startedAt: Self.timestamp(startedAt),
                finishedAt: Self.timestamp(Date()), stages: finished.map { ($0.name, $0.seconds, $0.report.rowsWritten) },
                inputs: finished.flatMap(\.report.inputs), outputs: outputs.files)
            try outputs.write(RunManifest.fileName, text: manifest.json())
            try outputs.commit()
            try record(warehouse) { db in
                try db.execute(sql: "UPDATE run SET status = 'succeeded', finished_at = ? WHERE run_key = ?",
                               arguments: [Self.timestamp(Date()), runKey])
            }
        } catch {
            // The stages' tables are committed, but the run did not publish its outputs: say so.
            outputs.discard()
            try? record(warehouse) { db in
                try db.execute(sql: "UPDATE run SET status = 'failed', finished_at = ?, message = ? WHERE run_key = ?",
                               arguments: [Self.timestamp(Date()), "publishing outputs: \(error)", runKey])
            }
            throw StageFailure(stage: "outputs", underlying: error)
        }
        return RunResult(runKey: runKey, outputDirectory: settings.outputDirectory, stages: finished, outputs: outputs.files)
    }

    private func record(_ warehouse: Warehouse, _ body: (Database) throws -> Void) throws {
        do {
            try warehouse.database.write(body)
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "cannot update the run ledger: \(error.message ?? "\(error)")")
        }
    }

    static func timestamp(_ date: Date) -> String {
        CivilDate.formatTimestamp(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
