import Foundation
import GRDB
import Logging

/// One step of the nightly flow. A stage reads tables earlier stages own, writes only its own
/// tables (replacing what it owns for the run's `as_of`), and can be re-run with the same result.
/// The runner knows only this protocol; the list of stages lives in `NightlyPipeline`.
public protocol Stage {
    /// The contract's stage name (`ingest`, `enrich`, …), also its subcommand and make target.
    var name: String { get }
    /// Tables this stage reads (owned by earlier stages).
    var reads: [String] { get }
    /// Tables this stage writes and nobody else does.
    var owns: [String] { get }
    /// Checked inside each of the stage's write transactions before it commits.
    var checks: [TableCheck] { get }
    /// Does the work; writes go through `context.write` so checks run and failures roll back.
    func run(_ context: StageContext) throws -> StageReport
}

/// What a stage tells the runner: rows written, lines for the run summary, inputs for the manifest.
public struct StageReport: Sendable {
    public var rowsWritten: Int
    public var summary: [String]
    public var inputs: [InputFileReport]

    public init(rowsWritten: Int, summary: [String] = [], inputs: [InputFileReport] = []) {
        self.rowsWritten = rowsWritten
        self.summary = summary
        self.inputs = inputs
    }
}

/// One input file as loaded, for the manifest and the load ledger.
public struct InputFileReport: Sendable, Equatable {
    public var entity: String
    public var path: String
    public var checksumSHA256: String
    public var bytes: Int
    public var rowsLoaded: Int
    public var rowsRejected: Int
}

/// Everything a stage may use: settings, the warehouse, the output folder, a logger, seeded
/// randomness. Nothing in it reads the clock: `asOf` is the only "now" a stage knows.
public final class StageContext {
    public let settings: RunSettings
    public let warehouse: Warehouse
    public let outputs: OutputFolder
    public let logger: Logger
    public let runKey: Int64
    public let clock: ZoneClock
    let stage: Stage

    init(settings: RunSettings, warehouse: Warehouse, outputs: OutputFolder, logger: Logger, runKey: Int64, clock: ZoneClock, stage: Stage) {
        self.settings = settings
        self.warehouse = warehouse
        self.outputs = outputs
        self.logger = logger
        self.runKey = runKey
        self.clock = clock
        self.stage = stage
    }

    public var config: PipelineConfig { settings.config }

    /// Logs "STAGE: message" with the seconds since the previous call (or since the first call to
    /// this function for the stage's run): progress an operator can follow on long work.
    public func phaseDone(_ message: String) {
        let now = Date()
        logger.info("\(stage.name): \(message)", metadata: ["seconds": "\(PipelineRunner.rounded(now.timeIntervalSince(phaseStart)))"])
        phaseStart = now
    }

    private var phaseStart = Date()
    public var asOf: Int64 { settings.asOf }

    /// The run's figures window (`segment.lookback_days` back from `as_of`).
    public var figuresWindow: FiguresWindow {
        FiguresWindow(asOf: asOf, lookbackDays: config.segment.lookbackDays, clock: clock)
    }

    /// Brings the aggregate tables to this run's window and every load so far; the first stage of
    /// a run that reads them does the work, later ones find them current.
    public func maintainAggregates() throws {
        do {
            let report = config.engine == .spark
                ? try SparkAggregates(config: config, window: figuresWindow, stage: stage.name, logger: logger).bringUpToDate(warehouse)
                : try AggregateMaintenance(window: figuresWindow, timezone: config.timezone).bringUpToDate(warehouse)
            if report.rebuilt || report.orders > 0 { phaseDone(report.summary) }
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "stage \(stage.name): maintaining the aggregates: \(error.message ?? "\(error)")")
        }
    }

    /// Runs `body` in one write transaction, verifies the stage's checks, and commits; any error
    /// (from the body or a check) rolls back, so each table holds the last good version or the new one.
    ///
    /// - Parameter enforcingForeignKeys: false only for a bulk load whose loader resolves every
    ///   reference itself from keys it read or created in the same transaction; SQLite's own check
    ///   repeats three index lookups per row and is a third of the insert time.
    public func write<T>(enforcingForeignKeys: Bool = true, _ body: (Database) throws -> T) throws -> T {
        do {
            return try warehouse.database.writeWithoutTransaction { db in
                if !enforcingForeignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                defer { if !enforcingForeignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    for check in stage.checks { try check.verify(db, stage: stage.name) }
                    return .commit
                }
                guard let result else { throw LoyaltyError.warehouse(message: "transaction ended without a result") }
                return result
            }
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "stage \(stage.name): \(error.message ?? "\(error)") (\(error.sql ?? ""))")
        }
    }
}
