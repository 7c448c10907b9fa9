import Foundation
import GRDB

/// Ingest: loads one delivery folder into the warehouse's staging tables.
///
/// Each file loads in its own transaction: a file that cannot be read (bad header, not UTF-8,
/// truncated gzip) leaves nothing of itself behind, while files loaded before it stay loaded.
/// A row that breaks the contract goes to `reject` and `rejects.csv` and the rest of the file loads.
public struct IngestStage: Stage {
    public let name = "ingest"
    public let reads: [String] = []
    public let owns = ["load", "reject", "category", "product", "product_attribute", "customer", "contact_issue", "suppression",
                       "sales_order", "order_line", "offer_event"]
    public let checks: [TableCheck] = [
        .holds("product", "price_minor >= 0", describe: "product_id"),
        .acceptedValues("offer_event", "event", ["delivered", "opened", "clicked", "redeemed", "unsubscribed"]),
        TableCheck(name: "category tree has no cycle", violationsSQL: """
            WITH RECURSIVE walk(start, node, depth) AS (
                SELECT category_key, parent_key, 1 FROM category WHERE parent_key IS NOT NULL
                UNION ALL
                SELECT walk.start, category.parent_key, walk.depth + 1 FROM walk JOIN category ON category.category_key = walk.node
                WHERE category.parent_key IS NOT NULL AND walk.node <> walk.start AND walk.depth <= (SELECT COUNT(*) FROM category)
            )
            SELECT DISTINCT (SELECT category_id FROM category WHERE category_key = walk.start) FROM walk WHERE walk.node = walk.start
            """),
    ]

    public static let rejectsFile = "rejects.csv"

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        guard let folder = context.settings.inputDirectory else {
            throw LoyaltyError.usage("ingest needs an input folder: give --input DIR or set 'input:' in the pipeline file")
        }
        let files = try Self.deliveryFiles(in: folder)
        var reports: [InputFileReport] = []
        var summary: [String] = []
        for (entity, path) in files {
            let (report, notes) = try load(entity, path: path, context: context)
            reports.append(report)
            summary.append("\((path as NSString).lastPathComponent): \(report.rowsLoaded) loaded, \(report.rowsRejected) rejected"
                + notes.map { "; " + $0 }.joined())
        }
        let rejects = try writeRejects(context)
        if rejects > 0 {
            summary.append("\(rejects) rejected row(s), with reasons, in \((context.settings.outputDirectory as NSString).appendingPathComponent(Self.rejectsFile))")
        }
        let (recovered, issues) = try context.write { db in
            (try ContactIssues.recheck(db, rules: context.config.ingest.phoneRules), try ContactIssues.write(db, to: context.outputs))
        }
        if recovered > 0 { summary.append("\(recovered) earlier invalid address(es) are valid under the current rules and are used again") }
        if issues.emails + issues.phones > 0 {
            summary.append("contact issues: \(issues.emails) email, \(issues.phones) phone address(es) not valid, with reasons, in "
                + (context.settings.outputDirectory as NSString).appendingPathComponent(ContactIssues.fileName))
        }
        // The loads' lines reach the aggregates now, so the night's later stages read them current.
        try context.maintainAggregates()
        return StageReport(rowsWritten: reports.reduce(0) { $0 + $1.rowsLoaded }, summary: summary, inputs: reports)
    }

    /// The contract files present in `folder`, in load order.
    /// - Throws: `LoyaltyError.usage` when the folder is missing, holds none of them, or holds one
    ///   entity in two formats (which one to load would be a guess).
    static func deliveryFiles(in folder: String) throws -> [(InputEntity, String)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoyaltyError.usage("input folder \(folder) does not exist")
        }
        var found: [(InputEntity, String)] = []
        for entity in InputEntity.allCases {
            let present = entity.fileNames.filter { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }
            if present.count > 1 {
                throw LoyaltyError.usage("\(folder) holds \(present.joined(separator: " and ")): keep one file per input")
            }
            if let name = present.first { found.append((entity, (folder as NSString).appendingPathComponent(name))) }
        }
        if found.isEmpty {
            let expected = InputEntity.allCases.map { $0.rawValue + ".csv" }.joined(separator: ", ")
            throw LoyaltyError.usage("\(folder) holds no input file (expected any of \(expected), or .csv.gz / .jsonl / .jsonl.gz)")
        }
        return found
    }

    /// - Returns: the file's report, and its loader's notes for the summary.
    private func load(_ entity: InputEntity, path: String, context: StageContext) throws -> (InputFileReport, [String]) {
        let started = Date()
        let fileName = (path as NSString).lastPathComponent
        let isJSON = Self.isJSONLines(fileName)
        let progressEvery = context.config.ingest.progressEvery
        context.logger.info("loading \(fileName)")
        // The order-line loader resolves products, customers and orders to keys itself.
        return try context.write(enforcingForeignKeys: entity != .transactions) { db in
            let (source, file) = try openByteSource(path: path)
            try db.execute(
                sql: """
                    INSERT INTO load (run_key, entity, path, format, checksum_sha256, bytes, rows_loaded, rows_rejected, seconds, loaded_at)
                    VALUES (?, ?, ?, ?, '', 0, 0, 0, 0, ?)
                    """,
                arguments: [context.runKey, entity.rawValue, path, isJSON ? "jsonl" : "csv", PipelineRunner.timestamp(started)])
            let loadKey = db.lastInsertedRowID
            let rejects = try RejectSink(db, loadKey: loadKey, file: fileName)
            var rows = 0
            let progress = {
                rows += 1
                if rows % progressEvery == 0 {
                    let rate = Double(rows) / max(Date().timeIntervalSince(started), 0.001)
                    context.logger.info("\(fileName): \(rows) rows read", metadata: ["rows_per_second": "\(Int(rate))"])
                }
            }
            let rowsLoaded: Int
            var notes: [String] = []
            if entity == .transactions {
                rowsLoaded = try loadOrderLines(db, source: source, path: path, rejects: rejects, clock: context.clock, progress: progress)
            } else {
                let loader = try Self.loader(for: entity, db: db, loadKey: loadKey, context: context)
                try Self.readRecords(entity, source: source, path: path, { record in
                    try loader.load(record, rejects: rejects)
                    progress()
                }, invalid: { line, raw, reason in try rejects.reject(line: line, raw: raw, reason: reason) })
                try loader.finish(rejects: rejects)
                rowsLoaded = loader.rowsLoaded
                notes = loader.notes
            }
            var hasher = file.hasher
            let report = InputFileReport(
                entity: entity.rawValue, path: path, checksumSHA256: hasher.finalizeHex(), bytes: file.bytesRead,
                rowsLoaded: rowsLoaded, rowsRejected: rejects.count)
            try db.execute(
                sql: "UPDATE load SET checksum_sha256 = ?, bytes = ?, rows_loaded = ?, rows_rejected = ?, seconds = ? WHERE load_key = ?",
                arguments: [report.checksumSHA256, report.bytes, report.rowsLoaded, report.rowsRejected,
                            Date().timeIntervalSince(started), loadKey])
            context.logger.info("loaded \(fileName)", metadata: [
                "rows_loaded": "\(report.rowsLoaded)", "rows_rejected": "\(report.rowsRejected)",
                "seconds": "\(PipelineRunner.rounded(Date().timeIntervalSince(started)))",
            ])
            return (report, notes)
        }
    }

    /// Judged by the file's own name (a folder named `x.jsonl.d` holds CSV files too).
    static func isJSONLines(_ fileName: String) -> Bool {
        fileName.hasSuffix(".jsonl") || fileName.hasSuffix(".jsonl.gz")
    }

    /// Streams the records of a CSV or JSON Lines file; lines that are not JSON objects go to `invalid`.
    private static func readRecords(
        _ entity: InputEntity, source: ByteSource, path: String, _ body: (InputRecord) throws -> Void,
        invalid: (Int, String, String) throws -> Void
    ) throws {
        if isJSONLines((path as NSString).lastPathComponent) {
            try JSONLinesReader(source: source, path: path).read(columns: entity.columns, nestedKey: entity.nestedKey, body, invalid: invalid)
        } else {
            try CSVReader(source: source, path: path).read(columns: entity.columns, required: entity.required, body)
        }
    }

    /// Loads order lines with two threads: a reader parses and validates into batches while this
    /// (the warehouse's) thread inserts them, so parsing and SQLite overlap on two cores.
    private func loadOrderLines(
        _ db: Database, source: ByteSource, path: String, rejects: RejectSink, clock: ZoneClock, progress: @escaping () -> Void
    ) throws -> Int {
        let products = try keyMap(db, table: "product")
        let customers = try keyMap(db, table: "customer")
        let writer = try OrderLineWriter(db)
        let channel = BatchChannel<OrderLineBatch>(capacity: 4)
        let reader = WorkerThread(name: "ingest-reader") {
            do {
                let encoder = OrderLineEncoder(products: products, customers: customers, clock: clock) { try channel.send($0) }
                try Self.readRecords(.transactions, source: source, path: path, { record in
                    try encoder.encode(record)
                    progress()
                }, invalid: { line, raw, reason in try encoder.reject(line: line, raw: raw, reason: reason) })
                try encoder.flush()
                channel.finish()
            } catch {
                channel.finish(throwing: error)
            }
        }
        do {
            while let batch = try channel.receive() {
                try writer.write(batch, rejects: rejects)
            }
        } catch {
            channel.cancel()
            reader.join()
            throw error
        }
        reader.join()
        return writer.rowsLoaded
    }

    private static func loader(for entity: InputEntity, db: Database, loadKey: Int64, context: StageContext) throws -> EntityLoader {
        let config = context.config
        switch entity {
        case .categories: return CategoryLoader(db)
        case .products: return try ProductLoader(db)
        case .productAttributes: return try ProductAttributeLoader(db)
        case .customers: return try CustomerLoader(db, phoneRules: config.ingest.phoneRules)
        case .suppressions:
            return try SuppressionLoader(db, loadKey: loadKey, channels: config.channels.map(\.name), phoneRules: config.ingest.phoneRules)
        case .transactions: preconditionFailure("order lines load through loadOrderLines")
        case .offerEvents: return try OfferEventLoader(db, clock: context.clock)
        }
    }

    /// `rejects.csv`: this run's rejected rows, by file then line. Mode 0600: a rejected customer
    /// row holds personal data.
    private func writeRejects(_ context: StageContext) throws -> Int {
        try context.warehouse.database.read { db in
            try context.outputs.writeCSV(Self.rejectsFile, header: ["file", "line", "reason", "raw"], mode: 0o600) { csv in
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT reject.file, reject.line, reject.reason, reject.raw FROM reject JOIN load USING (load_key)
                    WHERE load.run_key = ? ORDER BY load.load_key, reject.line, reject.reject_key
                    """, arguments: [context.runKey])
                while let row = try rows.next() {
                    try csv.text(row[0] as String)
                    try csv.raw(String(row[1] as Int64))
                    try csv.text(row[2] as String)
                    try csv.text(row[3] as String)
                    try csv.endRow()
                }
            }
        }
    }
}
