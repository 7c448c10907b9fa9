import Foundation
import GRDB

/// Offers: candidates from every generator, scored by expected value, arbitrated per customer
/// (consent, suppression, cool-down, caps) and across customers (budgets), with a stratified
/// holdout control group. Writes offers.csv, offer_drops.csv and the channel feeds.
public struct OffersStage: Stage {
    public let name = "offers"
    public let reads = ["customer", "customer_rfm", "product", "product_profile", "product_fact", "product_partner", "order_line", "offer_event"]
    public let owns = ["offer", "offer_drop"]
    public let checks: [TableCheck] = [
        .holds("offer", "rank >= 1 AND discount_pct BETWEEN 0 AND 90 AND valid_from <= valid_to", describe: "offer_id"),
    ]

    public init() {}

    /// One offer that survived arbitration.
    struct Offer {
        let customer: Int
        var rank: Int
        let candidate: OfferCandidate
        let channel: OffersConfig.Channel
        var holdout = false
        var id = ""
        /// The id's hex digits as a number: sorting by it sorts by id, without comparing strings.
        var idNumber: UInt64 = 0
        /// The candidate's reason, made once for the table, offers.csv and the feeds.
        var reason = ""
    }

    /// What the stage decided, before anything is written.
    struct Result {
        var customers: [CustomerContext]
        var offers: [Offer]
        var drops: [DropKey: Int]
    }

    struct DropKey: Hashable, Comparable {
        let reason: OfferArbitration.DropReason
        let type: OfferType
        static func < (a: DropKey, b: DropKey) -> Bool { (a.reason, a.type) < (b.reason, b.type) }
    }

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config.offers
        let asOfText = context.settings.asOfText
        let inputs = try OfferInputs.load(context)
        context.phaseDone("read \(inputs.customers.count) customers, \(inputs.catalog.products.count) products, \(inputs.history.count) customers with earlier offers")
        let history = try CustomerHistory.load(
            context.warehouse, from: inputs.from, until: inputs.until, maxCustomerKey: inputs.maxCustomerKey,
            timezone: context.config.timezone, indexOfProduct: { inputs.catalog.index(ofKey: $0) })
        context.phaseDone("read \(history.purchases.count) purchases")
        let run = OfferRun(catalog: inputs.catalog, config: config, asOf: context.asOf)
        var result = Self.decide(inputs: inputs, history: history, run: run)
        context.phaseDone("\(result.offers.count) offers chosen")
        Self.assignHoldoutAndIds(&result, config: config, asOf: context.asOf, asOfText: asOfText, catalog: inputs.catalog)
        context.phaseDone("control group drawn")

        let validFrom = CivilDate.format(context.asOf + 1), validTo = CivilDate.format(context.asOf + Int64(config.validDays))
        // offers.csv, the big feeds and the tables are written side by side; the small feeds after the tables.
        // Every thread that finishes its own file helps format the rows of offers.csv.
        let offerRows = OffersReports.offerRows(result, catalog: inputs.catalog, validFrom: validFrom, validTo: validTo)
        let reports = WorkerThread(name: "offers-csv") {
            try OffersReports.write(result, offerRows: offerRows, to: context.outputs)
        }
        let emailFeed = WorkerThread(name: "offers-email") {
            try OfferFeeds.write(.email, result, catalog: inputs.catalog, config: config, validFrom: validFrom, validTo: validTo, to: context.outputs)
            offerRows.help()
        }
        do {
            // Customer, product and category keys all come from the tables read above, in this run.
            try context.write(enforcingForeignKeys: false) { db in
                try Self.replace(db, result: result, catalog: inputs.catalog, asOf: asOfText, validFrom: validFrom, validTo: validTo)
            }
            for channel in [OffersConfig.Channel.push, .sms] {
                try OfferFeeds.write(channel, result, catalog: inputs.catalog, config: config, validFrom: validFrom, validTo: validTo, to: context.outputs)
            }
            offerRows.help()
        } catch {
            reports.join()
            emailFeed.join()
            throw error
        }
        try reports.result()
        try emailFeed.result()
        context.phaseDone("tables and outputs written")

        var byChannel: [OffersConfig.Channel: Int] = [:]
        var held = 0, customersWithOffers = 0
        for index in result.offers.indices {
            if result.offers[index].rank == 1 { customersWithOffers += 1 }
            if result.offers[index].holdout { held += 1 } else { byChannel[result.offers[index].channel, default: 0] += 1 }
        }
        var byReason: [OfferArbitration.DropReason: Int] = [:]
        for (key, count) in result.drops { byReason[key.reason, default: 0] += count }
        var summary = [
            "\(result.offers.count) offers for \(customersWithOffers) customers; \(held) held out (control group)",
            "feeds: " + OffersConfig.Channel.allCases.map { "\($0.rawValue) \(byChannel[$0] ?? 0)" }.joined(separator: ", "),
        ]
        if !byReason.isEmpty {
            summary.append("dropped candidates: " + byReason.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        return StageReport(rowsWritten: result.offers.count, summary: summary)
    }

    /// Generates, scores and arbitrates every customer's candidates (in parallel chunks), then
    /// applies the run-wide budgets.
    static func decide(inputs: OfferInputs, history: CustomerHistory, run: OfferRun) -> Result {
        let customers = inputs.customers
        let chunks = min(256, max(1, customers.count / 512))
        let perChunk = (customers.count + chunks - 1) / max(chunks, 1)
        var parts = [(offers: [Offer], drops: [DropKey: Int])](repeating: ([], [:]), count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var offers: [Offer] = []
                var drops: [DropKey: Int] = [:]
                for index in (chunk * perChunk)..<min(customers.count, (chunk + 1) * perChunk) {
                    var customer = customers[index]
                    customer.products = history.products(ofCustomerKey: customer.key, asOf: run.asOf, halfLifeDays: run.config.halfLifeDays)
                    let decision = decideOne(customer, inputs: inputs, run: run)
                    for (candidate, reason) in decision.dropped { drops[DropKey(reason: reason, type: candidate.type), default: 0] += 1 }
                    for (rank, candidate) in decision.kept.enumerated() {
                        offers.append(Offer(customer: index, rank: rank + 1, candidate: candidate, channel: decision.channel!))
                    }
                }
                parts[chunk] = (offers, drops)
            }
        }
        var result = Result(customers: customers, offers: [], drops: [:])
        result.offers.reserveCapacity(parts.reduce(0) { $0 + $1.offers.count })
        for part in parts {
            result.offers += part.offers
            result.drops.merge(part.drops, uniquingKeysWith: +)
        }
        applyBudgets(&result, run: run)
        return result
    }

    /// All of one customer's candidates, scored, and the per-customer arbitration.
    static func decideOne(_ customer: CustomerContext, inputs: OfferInputs, run: OfferRun) -> OfferArbitration.Decision {
        var candidates: [OfferCandidate] = []
        for generator in OfferGenerators.all { candidates += generator.candidates(for: customer, in: run) }
        for index in candidates.indices { OfferScoring.score(&candidates[index], for: customer, in: run) }
        return OfferArbitration.decide(candidates, for: customer, suppressed: inputs.suppressed.contains(customer.key),
                                       history: inputs.history[customer.key] ?? [], in: run)
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
        let texts = parallelMap(offers.count) { index -> (UInt64, String, String) in
            let number = OfferHoldout.offerNumber(asOf: asOfText, customerId: customers[offers[index].customer].id, type: offers[index].candidate.type,
                                                  productId: offers[index].candidate.product.map { catalog.products[Int($0)].id })
            return (number, OfferHoldout.offerId(number: number), offers[index].candidate.reason)
        }
        for index in result.offers.indices {
            result.offers[index].holdout = control[result.offers[index].customer]
            (result.offers[index].idNumber, result.offers[index].id, result.offers[index].reason) = texts[index]
        }
    }

    /// Replaces this as_of's offers and drop counts; earlier runs stay as history.
    static func replace(_ db: Database, result: Result, catalog: OfferCatalog, asOf: String, validFrom: String, validTo: String) throws {
        try db.execute(sql: "DELETE FROM offer WHERE as_of = ?", arguments: [asOf])
        try db.execute(sql: "DELETE FROM offer_drop WHERE as_of = ?", arguments: [asOf])
        // Rows are offer indexes: an Offer is large, and copying one per row cost more than the insert.
        let insert = try BatchInsert<Int>(db, insert: """
            INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, product_key, category_key, channel, score,
                               expected_value_minor, discount_pct, reason, valid_from, valid_to, holdout)
            """, columns: 15) { index, statement, offset in
            // Fields read in place (`result.offers[index].x`), never a copy of the whole offer.
            statement.bind(offset + 1, asOf)
            statement.bind(offset + 2, result.offers[index].id)
            statement.bind(offset + 3, result.customers[result.offers[index].customer].key)
            statement.bind(offset + 4, Int64(result.offers[index].rank))
            statement.bind(offset + 5, result.offers[index].candidate.type.rawValue)
            statement.bind(offset + 6, result.offers[index].candidate.product.map { catalog.keyOf[Int($0)] })
            statement.bind(offset + 7, result.offers[index].candidate.categoryKey)
            statement.bind(offset + 8, result.offers[index].channel.rawValue)
            statement.bind(offset + 9, result.offers[index].candidate.score)
            statement.bind(offset + 10, result.offers[index].candidate.expectedValueMinor)
            statement.bind(offset + 11, Int64(result.offers[index].candidate.discountPct))
            statement.bind(offset + 12, result.offers[index].reason)
            statement.bind(offset + 13, validFrom)
            statement.bind(offset + 14, validTo)
            statement.bind(offset + 15, Int64(result.offers[index].holdout ? 1 : 0))
        }
        // In key order: appending to the b-tree is several times faster than inserting at random ids.
        let numbers = result.offers.map(\.idNumber)
        for index in result.offers.indices.sorted(by: { numbers[$0] < numbers[$1] }) { try insert.add(index) }
        try insert.flush()
        for (key, count) in result.drops.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "INSERT INTO offer_drop (as_of, reason, offer_type, candidates) VALUES (?, ?, ?, ?)",
                           arguments: [asOf, key.reason.rawValue, key.type.rawValue, count])
        }
    }
}
