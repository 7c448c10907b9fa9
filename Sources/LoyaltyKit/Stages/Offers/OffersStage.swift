import Foundation
import GRDB

/// Offers: candidates from every generator, scored by expected value, arbitrated per customer
/// (consent, suppression, cool-down, caps) and across customers (budgets), with a stratified
/// holdout control group. Writes offers.csv, offer_drops.csv and the channel feeds.
public struct OffersStage: Stage {
    public let name = "offers"
    public let reads = ["customer", "contact_issue", "suppression", "customer_rfm", "product", "product_profile", "product_fact", "product_partner",
                        "agg_customer_product", "offer_event"]
    public let owns = ["offer", "offer_run", "offer_drop"]
    /// The offer rules are CHECK constraints of the table: a check query here would scan every
    /// night's history.
    public let checks: [TableCheck] = []

    public init() {}

    /// One offer that survived arbitration. It holds no text: ids, reasons and evidence are
    /// written straight into each output (2M offers' texts were 400 MB held at once).
    struct Offer {
        let customer: Int
        var rank: Int
        let candidate: OfferCandidate
        /// Index in `OfferRun.channels`.
        let channel: UInt8
        var holdout = false
        /// The id's hex digits as a number (`OfferHoldout.writeOfferId`): sorting by it sorts by id.
        var idNumber: UInt64 = 0
    }

    /// What the stage decided, before anything is written.
    struct Result {
        var customers: [CustomerContext]
        var offers: [Offer]
        var drops: [DropKey: Int]
        /// Customers with candidates, by how their channels turned out (`reachable`: one reaches them).
        var reach: [ChannelStatus: Int] = [:]
    }

    struct DropKey: Hashable, Comparable {
        let reason: OfferArbitration.DropReason
        let type: OfferType
        static func < (a: DropKey, b: DropKey) -> Bool { (a.reason, a.type) < (b.reason, b.type) }
    }

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config.offers
        let asOfText = context.settings.asOfText
        try context.maintainAggregates()
        let (inputs, history) = try OfferInputs.load(context) { inputs in
            try context.warehouse.database.read { db in
                try CustomerHistory.load(db, maxCustomerKey: inputs.maxCustomerKey, indexOfProduct: { inputs.catalog.index(ofKey: $0) })
            }
        }
        context.phaseDone("read \(inputs.customers.count) customers, \(inputs.catalog.products.count) products, "
            + "\(history.purchaseDays) purchase days, \(inputs.history.customers) customers with earlier offers")

        // A rerun's delete of the night's earlier offers mostly waits on the disk, so it runs
        // while the offers are decided; the same transaction then inserts the new ones (a failed
        // run keeps the old). The writer helps format offers.csv when it is done.
        let validity = Validity(from: CivilDate.format(context.asOf + 1), to: CivilDate.format(context.asOf + Int64(config.validDays)))
        let decided = BatchChannel<(result: Result, offerRows: ParallelCSVRows)>(capacity: 1)
        let tableWriter = WorkerThread(name: "offers-table") {
            var offerRows: ParallelCSVRows?
            defer { offerRows?.help() }
            // Customer, product and category keys all come from the tables read above, in this run.
            try context.write(enforcingForeignKeys: false) { db in
                try Self.deleteNight(db, asOf: asOfText)
                guard let (result, rows) = try decided.receive() else { throw BatchChannel<Result>.Cancelled() }
                offerRows = rows
                try Self.insert(db, result: result, catalog: inputs.catalog, channels: context.config.channels, asOf: asOfText, validity: validity,
                                holdoutShare: config.holdoutShare, runKey: context.runKey)
            }
        }
        var result: Result
        let offerRows: ParallelCSVRows
        do {
            let run = OfferRun(catalog: inputs.catalog, config: config, channels: context.config.channels, asOf: context.asOf)
            result = Self.decide(inputs: inputs, history: history, run: run)
            context.phaseDone("\(result.offers.count) offers chosen")
            Self.assignHoldoutAndIds(&result, config: config, asOf: context.asOf, asOfText: asOfText, catalog: inputs.catalog)
            context.phaseDone("control group drawn")
            offerRows = OffersReports.offerRows(result, run: run, validity: validity)
            try decided.send((result, offerRows))
            decided.finish()

            // offers.csv on its own thread, the feeds here, the table on the writer; every thread
            // that finishes its own work helps format the rows of offers.csv.
            let reports = WorkerThread(name: "offers-csv") {
                try OffersReports.write(result, offerRows: offerRows, withEvidence: config.evidenceColumn, to: context.outputs)
            }
            do {
                for channel in run.channels.indices {
                    try OfferFeeds.write(channel, result, run: run, validity: validity, to: context.outputs)
                }
                offerRows.help()
            } catch {
                reports.join()
                throw error
            }
            try reports.result()
        } catch {
            decided.finish(throwing: error)
            tableWriter.join()
            throw error
        }
        try tableWriter.result()
        context.phaseDone("tables and outputs written")

        var byChannel = [Int](repeating: 0, count: context.config.channels.count)
        var held = 0, customersWithOffers = 0
        for index in result.offers.indices {
            if result.offers[index].rank == 1 { customersWithOffers += 1 }
            if result.offers[index].holdout { held += 1 } else { byChannel[Int(result.offers[index].channel)] += 1 }
        }
        var byReason: [OfferArbitration.DropReason: Int] = [:]
        for (key, count) in result.drops { byReason[key.reason, default: 0] += count }
        var summary = [
            "\(result.offers.count) offers for \(customersWithOffers) customers; \(held) held out (control group)",
            "feeds: " + context.config.channels.enumerated().map { "\($1.name) \(byChannel[$0])" }.joined(separator: ", "),
        ]
        if !byReason.isEmpty {
            summary.append("dropped candidates: " + byReason.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        if let warning = Reachability.warning(result.reach, channels: config.channels) {
            context.logger.warning("\(warning)")
            summary.append("warning: " + warning)
        }
        return StageReport(rowsWritten: result.offers.count, summary: summary)
    }

    /// Generates, scores and arbitrates every customer's candidates (in parallel chunks), then
    /// applies the run-wide budgets.
    static func decide(inputs: OfferInputs, history: CustomerHistory, run: OfferRun) -> Result {
        decide(inputs: inputs, history: history, run: run) { _, _ in () }.result
    }

    /// The same, with `observe` called for every customer (products filled in) with all their
    /// scored candidates, kept or not: the backtest reads each generator's whole list there.
    /// - Returns: the result, and what `observe` returned, in customer order.
    static func decide<Observed>(inputs: OfferInputs, history: CustomerHistory, run: OfferRun,
                                 observe: (CustomerContext, [OfferCandidate]) -> Observed) -> (result: Result, observed: [Observed]) {
        let customers = inputs.customers
        let chunks = min(256, max(1, customers.count / 512))
        let perChunk = (customers.count + chunks - 1) / max(chunks, 1)
        var parts = [(offers: [Offer], drops: [DropKey: Int], reach: [ChannelStatus: Int], observed: [Observed])](
            repeating: ([], [:], [:], []), count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var offers: [Offer] = []
                var drops: [DropKey: Int] = [:]
                var reach: [ChannelStatus: Int] = [:]
                var observed: [Observed] = []
                var candidates: [OfferCandidate] = []
                for index in (chunk * perChunk)..<min(customers.count, (chunk + 1) * perChunk) {
                    var customer = customers[index]
                    customer.products = history.products(ofCustomerKey: customer.key, asOf: run.asOf, halfLifeDays: run.config.halfLifeDays)
                    let decision = decideOne(customer, inputs: inputs, run: run, scratch: &candidates)
                    observed.append(observe(customer, candidates))
                    if !candidates.isEmpty { reach[decision.status, default: 0] += 1 }
                    for (candidate, reason) in decision.dropped { drops[DropKey(reason: reason, type: candidate.type), default: 0] += 1 }
                    for (rank, candidate) in decision.kept.enumerated() {
                        offers.append(Offer(customer: index, rank: rank + 1, candidate: candidate, channel: UInt8(decision.channel!)))
                    }
                }
                parts[chunk] = (offers, drops, reach, observed)
            }
        }
        var result = Result(customers: customers, offers: [], drops: [:])
        result.offers.reserveCapacity(parts.reduce(0) { $0 + $1.offers.count })
        var observed: [Observed] = []
        observed.reserveCapacity(customers.count)
        for part in parts {
            result.offers += part.offers
            result.drops.merge(part.drops, uniquingKeysWith: +)
            result.reach.merge(part.reach, uniquingKeysWith: +)
            observed += part.observed
        }
        applyBudgets(&result, run: run)
        return (result, observed)
    }

    /// All of one customer's candidates, scored, and the per-customer arbitration.
    static func decideOne(_ customer: CustomerContext, inputs: OfferInputs, run: OfferRun) -> OfferArbitration.Decision {
        var candidates: [OfferCandidate] = []
        return decideOne(customer, inputs: inputs, run: run, scratch: &candidates)
    }

    /// - Parameter candidates: an array to reuse from customer to customer; it holds the scored
    ///   candidates afterwards.
    static func decideOne(_ customer: CustomerContext, inputs: OfferInputs, run: OfferRun,
                          scratch candidates: inout [OfferCandidate]) -> OfferArbitration.Decision {
        candidates.removeAll(keepingCapacity: true)
        for generator in OfferGenerators.all { generator.propose(for: customer, in: run, into: &candidates) }
        for index in candidates.indices { OfferScoring.score(&candidates[index], for: customer, in: run) }
        return OfferArbitration.decide(candidates, for: customer, past: inputs.history[customer.key], in: run)
    }

    /// Best offers first across all customers: an offer whose discount would take its type's sum
    /// of discounts past the budget is dropped (a cheaper one further down may still fit). The
    /// control group is not known yet, so its offers spend budget like the rest: both groups are
    /// treated alike up to the send. Ranks are renumbered per customer afterwards.
    static func applyBudgets(_ result: inout Result, run: OfferRun) {
        guard !run.config.budgetMinor.isEmpty else { return }
        let order = result.offers.indices.sorted { a, b in
            let (x, y) = (result.offers[a], result.offers[b])
            if OfferArbitration.ranksBefore(x.candidate, y.candidate) != OfferArbitration.ranksBefore(y.candidate, x.candidate) {
                return OfferArbitration.ranksBefore(x.candidate, y.candidate)
            }
            return result.customers[x.customer].id < result.customers[y.customer].id
        }
        var spent: [OfferType: Int64] = [:]
        var keep = [Bool](repeating: true, count: result.offers.count)
        for index in order {
            let candidate = result.offers[index].candidate
            guard let budget = run.config.budgetMinor[candidate.type] else { continue }
            if spent[candidate.type, default: 0] + candidate.discountMinor > budget {
                keep[index] = false
                result.drops[DropKey(reason: .budget, type: candidate.type), default: 0] += 1
            } else {
                spent[candidate.type, default: 0] += candidate.discountMinor
            }
        }
        var kept: [Offer] = []
        var previousCustomer = -1, rank = 0
        for (index, offer) in result.offers.enumerated() where keep[index] {
            rank = offer.customer == previousCustomer ? rank + 1 : 1
            previousCustomer = offer.customer
            var renumbered = offer
            renumbered.rank = rank
            kept.append(renumbered)
        }
        result.offers = kept
    }

    static func assignHoldoutAndIds(_ result: inout Result, config: OffersConfig, asOf: Int64, asOfText: String, catalog: OfferCatalog) {
        let control = OfferHoldout.controlGroup(
            customers: result.customers.map { ($0.id, $0.segment) }, share: config.holdoutShare, salt: config.holdoutSalt,
            period: OfferHoldout.period(of: asOf, rotation: config.holdoutRotation))
        let offers = result.offers, customers = result.customers
        let numbers = parallelMap(offers.count) { index in
            OfferHoldout.offerNumber(asOf: asOfText, customerId: customers[offers[index].customer].id, type: offers[index].candidate.type,
                                     productId: offers[index].candidate.product.map { catalog.products[Int($0)].id })
        }
        for index in result.offers.indices {
            result.offers[index].holdout = control[result.offers[index].customer]
            result.offers[index].idNumber = numbers[index]
        }
    }

    /// One row of the `offer` table.
    private struct TableRow {
        let id: UInt64
        let customerKey: Int64
        let productKey: Int64?
        let categoryKey: Int64?
        let score: Double
        let expectedValueMinor: Int64
        let rank: Int32
        let discountPct: Int32
        let type: OfferType
        let channel: UInt8
        let holdout: Bool
    }

    /// The days every offer of the night is valid.
    struct Validity {
        let from: String
        let to: String
    }

    /// Removes an earlier run's offers, run row and drop counts of this as_of; other nights stay as history.
    static func deleteNight(_ db: Database, asOf: String) throws {
        for table in ["offer", "offer_run", "offer_drop"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE as_of = ?", arguments: [asOf])
        }
    }

    /// Inserts the night's offers, its run row and drop counts (after `deleteNight`).
    static func insert(_ db: Database, result: Result, catalog: OfferCatalog, channels: [ContactChannel], asOf: String, validity: Validity,
                       holdoutShare: Double, runKey: Int64) throws {
        // The rows go in by key (as_of, offer_id), so the b-tree only appends. Reading offers and
        // customers in that order missed the cache on every row (half the insert's time), so
        // the fields are first copied out in offer order into short rows, and those are sorted.
        let offers = result.offers, customers = result.customers
        let rows = parallelMap(offers.count) { index in
            let offer = offers[index], candidate = offer.candidate
            return TableRow(id: offer.idNumber, customerKey: customers[offer.customer].key, productKey: candidate.product.map { catalog.keyOf[Int($0)] },
                            categoryKey: candidate.categoryKey, score: candidate.score, expectedValueMinor: candidate.expectedValueMinor,
                            rank: Int32(offer.rank), discountPct: Int32(candidate.discountPct), type: candidate.type, channel: offer.channel,
                            holdout: offer.holdout)
        }
        // By id: the id's top 41 bits and the row's index packed in one key, radix-sorted (a
        // comparison sort moved the 64-byte rows about for half a second). Ids equal in those bits
        // (about one pair a night) go in row order, one row off the append: harmless.
        let indexBits = max(1, Int64.bitWidth - max(0, rows.count - 1).leadingZeroBitCount)
        let sorted: [TableRow]
        if indexBits <= 22 {
            let indexMask = Int64(1) << indexBits - 1
            var order = rows.indices.map { Int64(bitPattern: rows[$0].id >> 23) << indexBits | Int64($0) }
            RadixSort.sort(&order, bits: 41 + indexBits)
            sorted = order.map { rows[Int($0 & indexMask)] }
        } else {
            sorted = rows.sorted { $0.id < $1.id }
        }
        let insert = try BatchInsert<TableRow>(db, insert: """
            INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, product_key, category_key, channel, score,
                               expected_value_minor, discount_pct, holdout)
            """, columns: 12) { row, statement, offset in
            statement.bind(offset + 1, asOf)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: OfferHoldout.offerIdLength) { id in
                OfferHoldout.writeOfferId(row.id, into: id.baseAddress!)
                statement.bind(offset + 2, bytes: UnsafeBufferPointer(id))
            }
            statement.bind(offset + 3, row.customerKey)
            statement.bind(offset + 4, Int64(row.rank))
            statement.bind(offset + 5, row.type.rawValue)
            statement.bind(offset + 6, row.productKey)
            statement.bind(offset + 7, row.categoryKey)
            statement.bind(offset + 8, channels[Int(row.channel)].name)
            statement.bind(offset + 9, row.score)
            statement.bind(offset + 10, row.expectedValueMinor)
            statement.bind(offset + 11, Int64(row.discountPct))
            statement.bind(offset + 12, Int64(row.holdout ? 1 : 0))
        }
        for row in sorted { try insert.add(row) }
        try insert.flush()
        var controlCustomers = 0, previous = -1
        for offer in result.offers where offer.holdout && offer.customer != previous {
            controlCustomers += 1
            previous = offer.customer
        }
        try db.execute(sql: """
            INSERT INTO offer_run (as_of, valid_from, valid_to, holdout_share, offers, control_customers, made_by_run) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [asOf, validity.from, validity.to, holdoutShare, result.offers.count, controlCustomers, runKey])
        for (key, count) in result.drops.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "INSERT INTO offer_drop (as_of, reason, offer_type, candidates) VALUES (?, ?, ?, ?)",
                           arguments: [asOf, key.reason.rawValue, key.type.rawValue, count])
        }
    }
}
