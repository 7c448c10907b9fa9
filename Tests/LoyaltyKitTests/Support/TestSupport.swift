import Foundation
import GRDB
import Logging
import Testing
@testable import LoyaltyKit

/// The package root, for fixtures.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

func fixture(_ path: String) -> String { packageRoot + "/fixtures/" + path }

/// A fresh temporary folder, removed when the test process ends or reused paths never collide.
func temporaryFolder(_ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "loyalty-tests/\(safe)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

let quietLogger: Logger = {
    var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// Runs the stages on `input` into a warehouse and output folder under `root`.
@discardableResult
func runPipeline(input: String, root: String, asOf: String = "2026-11-21", pipeline: String? = nil,
                 selection: StageSelection = .all) throws -> RunResult {
    let settings = try RunSettings.resolve(RunOptions(
        pipeline: pipeline, input: input, asOf: asOf, out: root + "/out", warehouse: root + "/warehouse.sqlite"))
    return try PipelineRunner(stages: NightlyPipeline.stages(), logger: quietLogger)
        .run(settings: settings, selection: selection, command: "test")
}

/// Runs a block of SQL returning one integer.
func scalar(_ warehouse: Warehouse, _ sql: String) throws -> Int {
    try warehouse.database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
}

/// A digest of a table's whole content in key order: equal digests mean equal tables.
func tableDigest(_ warehouse: Warehouse, _ table: String, orderBy: String) throws -> String {
    try warehouse.database.read { db in
        var hasher = LoyaltyKit.SHA256()
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY \(orderBy)")
        while let row = try rows.next() {
            hasher.update(Array(row.description.utf8))
        }
        return hasher.finalizeHex()
    }
}

/// Reads a CSV output back into rows of fields (the project's own reader, UTF-8 checked).
func readCSV(_ path: String) throws -> [[String]] {
    let (source, _) = try openByteSource(path: path)
    var rows: [[String]] = []
    var header: [String] = []
    // Read the header first to learn the columns, then every row by those names.
    let firstLine = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
    header = firstLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    try CSVReader(source: source, path: path).read(columns: header, required: []) { record in
        rows.append((0..<header.count).map { record.string($0) ?? "" })
    }
    return [header] + rows
}

/// Each pipeline file of `cases` (YAML, line, key) is a configuration error at that line and key.
func expectConfigErrors(_ cases: [(yaml: String, line: Int, key: String)], sourceLocation: SourceLocation = #_sourceLocation) {
    for (yaml, line, key) in cases {
        do {
            _ = try PipelineConfig.parse(yaml: yaml, file: "p.yml")
            Issue.record("no error for \(yaml)", sourceLocation: sourceLocation)
        } catch let LoyaltyError.config(file, errorLine, errorKey, _) {
            #expect(file == "p.yml", sourceLocation: sourceLocation)
            #expect(errorLine == line, "\(yaml)", sourceLocation: sourceLocation)
            #expect(errorKey == key, "\(yaml)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(yaml): \(error)", sourceLocation: sourceLocation)
        }
    }
}
