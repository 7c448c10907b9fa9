import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct PipelineRunnerTests {
    @Test func aSecondRunCannotTakeTheLock() throws {
        let root = try temporaryFolder()
        let held = try RunLock(warehousePath: root + "/w.sqlite")
        #expect(throws: LoyaltyError.self) { try RunLock(warehousePath: root + "/w.sqlite") }
        do {
            _ = try RunLock(warehousePath: root + "/w.sqlite")
        } catch let LoyaltyError.locked(lockFile, holder) {
            #expect(lockFile == root + "/w.sqlite.lock")
            #expect(holder.contains("pid \(getpid())"))
        }
        // The runner refuses to start while it is held, and starts once it is released.
        let input = fixture("cases/contract")
        let settings = try RunSettings.resolve(RunOptions(input: input, asOf: "2026-11-21", out: root + "/out", warehouse: root + "/w.sqlite"))
        let runner = PipelineRunner(stages: NightlyPipeline.stages(), logger: quietLogger)
        #expect(throws: LoyaltyError.self) { try runner.run(settings: settings, selection: .all, command: "test") }
        held.release()
        let result = try runner.run(settings: settings, selection: .all, command: "test")
        #expect(result.stages.map(\.name) == ["ingest", "enrich", "segment", "pairs", "offers", "publish"])
        _ = try RunLock(warehousePath: root + "/w.sqlite")
    }

    @Test func stageSelection() throws {
        let runner = PipelineRunner(stages: NightlyPipeline.stages(), logger: quietLogger)
        #expect(try runner.select(.only("ingest")).map(\.name) == ["ingest"])
        #expect(try runner.select(.from("ingest")).map(\.name) == ["ingest", "enrich", "segment", "pairs", "offers", "publish"])
        #expect(try runner.select(.from("segment")).map(\.name) == ["segment", "pairs", "offers", "publish"])
        #expect(throws: LoyaltyError.self) { try runner.select(.only("bogus")) }
        #expect(throws: LoyaltyError.self) { try StageSelection(only: "ingest", from: "ingest") }
    }

    @Test func theLedgerRecordsRunsAndStages() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/contract"), root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM run WHERE status = 'succeeded' AND as_of = '2026-11-21'") == 1)
        #expect(try scalar(warehouse, "SELECT rows_written FROM stage_run WHERE stage = 'ingest' AND status = 'succeeded'") == 25)
    }

    /// A run killed outright (SIGKILL, the machine going down) leaves its staging folder; the
    /// next run under the lock removes it, feeds and all, and keeps its own outputs.
    @Test func theNextRunRemovesTheStagingFolderOfAKilledRun() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/contract"), root: root)
        try write("offer_id,customer_id,email\n", to: root + "/out/.staging-run-1/feeds/email.csv")
        try runPipeline(input: fixture("cases/contract"), root: root)
        let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/out")
        #expect(!entries.contains { $0.hasPrefix(".staging-run-") })
        #expect(entries.contains("offers.csv"))
    }

    @Test func aFailingCheckRollsTheStageBack() throws {
        // Given a stage whose check fails after it wrote
        struct Faulty: Stage {
            let name = "faulty"
            let reads: [String] = []
            let owns = ["category"]
            let checks = [TableCheck.holds("category", "name <> 'bad'", describe: "category_id")]
            func run(_ context: StageContext) throws -> StageReport {
                try context.write { db in try db.execute(sql: "INSERT INTO category (category_id, name) VALUES ('X', 'bad')") }
                return StageReport(rowsWritten: 1)
            }
        }
        let root = try temporaryFolder()
        let settings = try RunSettings.resolve(RunOptions(asOf: "2026-11-21", out: root + "/out", warehouse: root + "/w.sqlite"))
        // Then the run fails naming the check and the row, and the insert is gone
        do {
            _ = try PipelineRunner(stages: [Faulty()], logger: quietLogger).run(settings: settings, selection: .all, command: "t")
            Issue.record("expected a failure")
        } catch let failure as StageFailure {
            #expect("\(failure)".contains("'category: name <> 'bad'' failed for 1 row(s), e.g. X"))
        }
        #expect(try Warehouse(path: root + "/w.sqlite").count("category") == 0)
    }
}
