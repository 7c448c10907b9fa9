import Foundation
import GRDB
import Logging

/// `loyalty backtest`: the offers as they would have been made on as_of, from the data before it,
/// scored against what each customer bought in the next `horizon_days` days.
///
/// No peeking: the work happens in a copy of the warehouse, next to it, deleted afterwards. There
/// the aggregates are brought to as_of's window (order lines from later days drop out), customers
/// nobody knew on as_of are removed (no order by then, and not registered, or signed up later),
/// and enrich, segment, pairs and offers run as of as_of; earlier offers, suppressions and
/// unsubscribes count only up to as_of, as in any run. Catalog prices, consents and addresses are
/// today's: the warehouse keeps no history of them.
///
/// Control-group customers are scored like the rest: their purchases were untouched by offers,
/// so they are the honest sample; every other customer's may have been moved by the offers they
/// really got.
public enum Backtest {
    public static let figuresFile = "backtest.csv"
    public static let listsFile = "backtest_lists.csv"

    public struct Summary {
        public var outputDirectory: String
        public var lines: [String]
        public var files: [String: Int]
    }

    /// What the offers step decided, with each customer's lists (kept for `loyalty backtest --lists` and tests).
    struct Decided {
        let result: OffersStage.Result
        let lists: [BacktestLists]
        let catalog: OfferCatalog
    }

    /// - Parameter settings: the run's; its as_of is the day the offers are made.
    /// - Throws: `LoyaltyError.usage` for a missing warehouse or a day without later purchases.
    public static func run(settings: RunSettings, horizonDays: Int, writeLists: Bool, logger: Logger) throws -> Summary {
        guard (1...3650).contains(horizonDays) else {
            throw LoyaltyError.usage("--horizon-days \(horizonDays): expected 1 … 3650 days")
        }
        guard FileManager.default.fileExists(atPath: settings.warehousePath) else {
            throw LoyaltyError.usage("warehouse \(settings.warehousePath) does not exist: run the pipeline first (make demo, or loyalty run)")
        }
        let started = Date()
        var phaseStart = started
        func phase(_ message: String) {
            logger.info("backtest: \(message)", metadata: ["seconds": "\(PipelineRunner.rounded(Date().timeIntervalSince(phaseStart)))"])
            phaseStart = Date()
        }
        let config = settings.config
        let clock = try ZoneClock(identifier: config.timezone)
        let lock = try RunLock(warehousePath: settings.warehousePath)
        defer { lock.release() }
        let warehouse = try Warehouse(path: settings.warehousePath, phoneRules: config.ingest.phoneRules)
        let asOf = settings.asOf, asOfText = settings.asOfText
        let horizon = (from: clock.startOfDay(asOf + 1), until: clock.startOfDay(asOf + Int64(horizonDays) + 1))
        let lastOrderDay = try warehouse.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(ordered_at) FROM sales_order").map { clock.localDay(utcSeconds: $0) }
        }
        guard let lastOrderDay, lastOrderDay > asOf else {
            throw LoyaltyError.usage("nothing was bought after \(asOfText): the warehouse's last order is "
                + "\(lastOrderDay.map(CivilDate.format) ?? "none"); choose an earlier --as-of")
        }
        var lines: [String] = []
        if lastOrderDay < asOf + Int64(horizonDays) {
            let warning = "the horizon ends on \(CivilDate.format(asOf + Int64(horizonDays))) but the last order is on "
                + "\(CivilDate.format(lastOrderDay)): the days after it count as days without purchases"
            logger.warning("backtest: \(warning)")
            lines.append("warning: " + warning)
        }
        let runKey = try warehouse.database.write { db -> Int64 in
            try db.execute(sql: "INSERT INTO run (command, as_of, config_digest, started_at, status) VALUES (?, ?, ?, ?, 'running')",
                           arguments: ["backtest --horizon-days \(horizonDays)", asOfText, config.digest, PipelineRunner.timestamp(started)])
            return db.lastInsertedRowID
        }
        let outputs = try OutputFolder(directory: settings.outputDirectory, runKey: runKey)
        let workspace = settings.warehousePath + ".backtest"
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        do {
            let (decided, copy) = try offersAsOf(warehouse, settings: settings, workspace: workspace, clock: clock, logger: logger, phase: phase)
            let catalog = decided.catalog, marginRate = config.offers.marginRate
            let purchases = try copy.database.read { db in
                try HorizonPurchases.load(db, from: horizon.from, until: horizon.until, maxCustomerKey: Int(decided.result.customers.map(\.key).max() ?? 0),
                                          indexOfProduct: { catalog.index(ofKey: $0) }) { product, units, amount in
                    if let cost = catalog.products[Int(product)].costMinor { return amount - cost * units }
                    return Int64((Double(amount) * marginRate).rounded())
                }
            }
            phase("read the horizon's purchases")
            let figures = evaluate(decided, purchases: purchases)
            phase("\(purchases.customers) customers bought \(purchases.count) products in the \(horizonDays) days after \(asOfText)")

            let rows = figures.rows
            let everyone = rows.first { $0.scope == "all" && $0.segment == "all" }
            let customersWithOffers = everyone?.customers ?? 0, buyers = everyone?.buyers ?? 0
            try BacktestReports.writeFigures(rows, asOf: asOfText, horizonDays: horizonDays, to: outputs)
            if writeLists { try BacktestReports.writeLists(decided, to: outputs) }
            try outputs.commit()
            try warehouse.database.write { db in
                try BacktestReports.store(db, rows: rows, asOf: asOfText, horizonDays: horizonDays, runKey: runKey,
                                          customers: decided.result.customers.count, customersWithOffers: customersWithOffers, buyers: buyers,
                                          lastOrderDay: CivilDate.format(lastOrderDay))
                try db.execute(sql: "UPDATE run SET status = 'succeeded', finished_at = ? WHERE run_key = ?",
                               arguments: [PipelineRunner.timestamp(Date()), runKey])
            }
            lines = BacktestReports.summary(rows) + lines
            lines.append(String(format: "backtest done in %.2f s", Date().timeIntervalSince(started)))
            return Summary(outputDirectory: settings.outputDirectory, lines: lines, files: outputs.files)
        } catch {
            outputs.discard()
            try? warehouse.database.write { db in
                try db.execute(sql: "UPDATE run SET status = 'failed', finished_at = ?, message = ? WHERE run_key = ?",
                               arguments: [PipelineRunner.timestamp(Date()), "backtest: \(error)", runKey])
            }
            throw error
        }
    }

    /// The offers of as_of, decided in a copy of `warehouse` in `workspace` that holds nothing
    /// dated after as_of: enrich, segment and pairs run there first.
    static func offersAsOf(_ warehouse: Warehouse, settings: RunSettings, workspace: String, clock: ZoneClock, logger: Logger,
                           phase: (String) -> Void = { _ in }) throws -> (Decided, Warehouse) {
        let copy = try makeCopy(of: warehouse, in: workspace, asOf: settings.asOf, config: settings.config, clock: clock, phase: phase)
        phase("brought the copy to \(settings.asOfText)'s data")
        var copySettings = settings
        copySettings.warehousePath = copy.path
        copySettings.outputDirectory = (workspace as NSString).appendingPathComponent("out")
        copySettings.inputDirectory = nil
        // The offers read segments, scores and customer value, not the k-means clusters (only
        // `loyalty explain` shows them): one cluster, one start, spares most of the segment stage.
        copySettings.config.segment.k = 1
        copySettings.config.segment.nInit = 1
        let runner = PipelineRunner(stages: [EnrichStage(), SegmentStage(), PairsStage()], logger: logger)
        _ = try runner.run(settings: copySettings, selection: .all, command: "backtest")
        phase("enrich, segment and pairs as of \(settings.asOfText)")
        let decided = try decideOffers(copy, settings: copySettings, clock: clock, logger: logger)
        phase("\(decided.result.offers.count) offers decided for \(decided.result.customers.count) customers")
        return (decided, copy)
    }

    /// The copy the backtest works in: aggregates at as_of's window, customers unknown on as_of gone.
    static func makeCopy(of warehouse: Warehouse, in workspace: String, asOf: Int64, config: PipelineConfig, clock: ZoneClock,
                         phase: (String) -> Void = { _ in }) throws -> Warehouse {
        let manager = FileManager.default
        try? manager.removeItem(atPath: workspace)
        do {
            try manager.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        } catch {
            throw LoyaltyError.io(path: workspace, message: "cannot create the backtest's working folder: \(error.localizedDescription)")
        }
        let path = (workspace as NSString).appendingPathComponent("warehouse.sqlite")
        do {
            let target = try DatabaseQueue(path: path)
            try warehouse.database.backup(to: target)
            try target.close()
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "backtest: copying \(warehouse.path) to \(path): \(error.message ?? "\(error)") "
                + "(the copy needs as much free space as the warehouse)")
        }
        let copy = try Warehouse(path: path, phoneRules: config.ingest.phoneRules)
        phase("copied the warehouse")
        let window = FiguresWindow(asOf: asOf, lookbackDays: config.segment.lookbackDays, clock: clock)
        do {
            phase(try AggregateMaintenance(window: window, timezone: config.timezone).bringUpToDate(copy).summary)
            try copy.database.writeWithoutTransaction { db in
                // The customers' other rows (old memberships, later orders) stay behind in the
                // copy; nothing the backtest runs reads them.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.inTransaction {
                    try db.execute(sql: """
                        DELETE FROM customer
                        WHERE NOT EXISTS (SELECT 1 FROM agg_order o WHERE o.customer_key = customer.customer_key AND o.ordered_at < ?)
                          AND NOT (registered = 1 AND (signup_date IS NULL OR signup_date <= ?))
                        """, arguments: [window.until, CivilDate.format(asOf)])
                    return .commit
                }
            }
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "backtest: preparing the copy: \(error.message ?? "\(error)")")
        }
        return copy
    }

    /// The offers stage's decisions in the copy (every customer, control group included), with
    /// each customer's candidate and baseline lists; nothing is written.
    static func decideOffers(_ copy: Warehouse, settings: RunSettings, clock: ZoneClock, logger: Logger) throws -> Decided {
        let stage = OffersStage()
        let outputs = try OutputFolder(directory: settings.outputDirectory, runKey: 0)
        defer { outputs.discard() }
        let context = StageContext(settings: settings, warehouse: copy, outputs: outputs, logger: logger, runKey: 0, clock: clock, stage: stage)
        let (inputs, history) = try OfferInputs.load(context) { inputs in
            try copy.database.read { db in
                try CustomerHistory.load(db, maxCustomerKey: inputs.maxCustomerKey, indexOfProduct: { inputs.catalog.index(ofKey: $0) })
            }
        }
        let run = OfferRun(catalog: inputs.catalog, config: settings.config.offers, channels: settings.config.channels, asOf: settings.asOf)
        let catalog = inputs.catalog
        let (result, lists) = OffersStage.decide(inputs: inputs, history: history, run: run) { customer, scored in
            BacktestLists(customer, scored: scored, catalog: catalog)
        }
        return Decided(result: result, lists: lists, catalog: catalog)
    }

    /// Every customer's lists scored against their purchases, into the groups they belong to.
    static func evaluate(_ decided: Decided, purchases: HorizonPurchases) -> BacktestFigures {
        let customers = decided.result.customers, offers = decided.result.offers
        let empty = BacktestFigures(segments: Set(customers.map(\.segment)), catalogueSize: decided.catalog.bestsellers.count,
                                    products: decided.catalog.products.count)
        let segmentIndex = Dictionary(uniqueKeysWithValues: empty.segments.enumerated().map { ($1, $0) })
        // Offers come grouped by customer, in customer order, best rank first: each part's start.
        let bounds = (0...BacktestFigures.parts).map { customers.count * $0 / BacktestFigures.parts }
        var parts = [BacktestFigures](repeating: empty, count: BacktestFigures.parts)
        parts.withUnsafeMutableBufferPointer { parts in
            DispatchQueue.concurrentPerform(iterations: BacktestFigures.parts) { part in
                var figures = empty
                var next = 0, high = offers.count
                while next < high {
                    let middle = (next + high) / 2
                    if offers[middle].customer < bounds[part] { next = middle + 1 } else { high = middle }
                }
                for index in bounds[part]..<bounds[part + 1] {
                    let customer = customers[index]
                    var own: [(type: OfferType, product: Int32?)] = []
                    while next < offers.count && offers[next].customer == index {
                        own.append((offers[next].candidate.type, offers[next].candidate.product))
                        next += 1
                    }
                    figures.add(offers: own, lists: decided.lists[index], segment: segmentIndex[customer.segment]!,
                                bought: purchases.of(customerKey: customer.key))
                }
                parts[part] = figures
            }
        }
        var figures = empty
        for part in parts { figures.merge(part) }
        return figures
    }
}
