import GRDB

/// What one night's offers achieved over their attribution window, treated against control.
///
/// The unit is a customer's offers of one type on one night (two cross-sells to one customer are
/// one unit): the control group is drawn by customer, so that is what can be compared. A unit
/// - converts on the offered item when the customer bought, within the window, an offered
///   product, a product in (or under) an offered category, or anything at all for offers of
///   neither (win-back, birthday, welcome, segment bonus);
/// - converts on any purchase when the customer bought anything in the window;
/// - brings the customer's net revenue and margin of the window;
/// - costs, when treated, the offer's discount on the purchases that converted it while it was valid.
/// Segments are the customers' segments on the offers' night.
struct OfferOutcomes {
    /// A night whose window has closed and that has not been measured with this window length
    /// (or whose offers were made again since).
    struct PendingRun: Equatable {
        let asOf: String
        let windowFrom: Int64
        /// The offers' last valid day: their discount is not given after it.
        let validTo: Int64
        let holdoutShare: Double?
        let offers: Int
        let madeByRun: Int64?
    }

    struct Sums: Equatable {
        var units = 0
        var convertedOffered = 0
        var convertedAny = 0
        var revenueMinor: Int64 = 0
        /// Σ revenue², for the variance of revenue per unit (a statistic, so binary64 is fine).
        var revenueSquares = 0.0
        var marginMinor: Int64 = 0
        var discountCostMinor: Int64 = 0

        mutating func add(_ other: Sums) {
            units += other.units
            convertedOffered += other.convertedOffered
            convertedAny += other.convertedAny
            revenueMinor += other.revenueMinor
            revenueSquares += other.revenueSquares
            marginMinor += other.marginMinor
            discountCostMinor += other.discountCostMinor
        }
    }

    struct Cell: Equatable {
        let offerType: String
        let segment: String
        let holdout: Bool
        let sums: Sums
    }

    let run: PendingRun
    let windowDays: Int
    var cells: [Cell] = []
    var offeredCustomers = 0
    var controlCustomers = 0
    var controlDeliveredCustomers = 0

    /// Customers without a segment on the offers' night (in brackets, as no rule's name is).
    static let unknownSegment = "(unknown)"

    /// Nights made within `horizonDays` up to `asOf` whose window of `windowDays` has closed by
    /// `asOf` and that need measuring.
    static func pending(_ db: Database, asOf: Int64, windowDays: Int, horizonDays: Int) throws -> [PendingRun] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT r.as_of, r.valid_from, r.valid_to, r.holdout_share, r.offers, r.made_by_run FROM offer_run r
            LEFT JOIN offer_outcome_run m ON m.as_of = r.as_of AND m.attribution_days = ?
            WHERE r.as_of BETWEEN ? AND ? AND (m.as_of IS NULL OR m.made_by_run IS NOT r.made_by_run OR m.offers <> r.offers)
            ORDER BY r.as_of
            """, arguments: [windowDays, CivilDate.format(asOf - Int64(horizonDays) + 1), CivilDate.format(asOf)])
        return try rows.compactMap { row in
            let asOfText: String = row[0], validFrom: String = row[1], validTo: String = row[2]
            guard let night = CivilDate.parse(asOfText), CivilDate.format(night) == asOfText,
                  let from = CivilDate.parse(validFrom), let to = CivilDate.parse(validTo) else {
                throw LoyaltyError.warehouse(message: "offer_run row '\(asOfText)' has dates '\(validFrom)' … '\(validTo)', expected YYYY-MM-DD")
            }
            guard from + Int64(windowDays) - 1 <= asOf else { return nil }
            return PendingRun(asOf: asOfText, windowFrom: from, validTo: to, holdoutShare: row[3], offers: row[4], madeByRun: row[5])
        }
    }

    private struct Offer {
        let customer: Int32
        let type: Int8
        let holdout: Bool
        let discountPct: Int8
        let product: Int32
        let category: Int32
    }

    private struct Purchase {
        let customer: Int32
        let product: Int32
        let quantity: Int32
        let amountMinor: Int64
        let orderedAt: Int64
    }

    /// Products' categories and costs, and each category's ancestors (itself included): what an
    /// offer's item matches and what a purchase earns.
    struct Catalog {
        var categoryOf: [Int32] = []
        var costOf: [Int64?] = []
        var ancestorsOf: [Int32: [Int32]] = [:]
        let marginRate: Double

        init(_ db: Database, marginRate: Double) throws {
            self.marginRate = marginRate
            let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? -1
            categoryOf = [Int32](repeating: -1, count: maxKey + 1)
            costOf = [Int64?](repeating: nil, count: maxKey + 1)
            try RowScan.forEach(db, sql: "SELECT product_key, category_key, cost_minor FROM product") { row in
                let key = Int(row.int64(0))
                categoryOf[key] = row.optionalInt64(1).map(Int32.init) ?? -1
                costOf[key] = row.optionalInt64(2)
            }
            try RowScan.forEach(db, sql: "SELECT category_key, ancestor_key FROM category_ancestor") { row in
                ancestorsOf[Int32(row.int64(0)), default: []].append(Int32(row.int64(1)))
            }
        }

        /// A line's margin: its net amount less the cost of its units, or the configured margin
        /// rate of the amount for a product without a cost.
        func marginMinor(product: Int32, quantity: Int32, amountMinor: Int64) -> Int64 {
            if let cost = costOf[Int(product)] { return amountMinor - cost * Int64(quantity) }
            return Int64((Double(amountMinor) * marginRate).rounded())
        }

        func isIn(product: Int32, category: Int32) -> Bool {
            let own = categoryOf[Int(product)]
            return own == category || (ancestorsOf[own]?.contains(category) ?? false)
        }
    }

    static func measure(_ db: Database, run: PendingRun, windowDays: Int, clock: ZoneClock, catalog: Catalog) throws -> OfferOutcomes {
        var outcomes = OfferOutcomes(run: run, windowDays: windowDays)
        let maxCustomer = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? -1
        guard maxCustomer >= 0 else { return outcomes }
        var segments: [String] = [], segmentIndex: [String: Int16] = [:]
        var segmentOf = [Int16](repeating: -1, count: maxCustomer + 1)
        try RowScan.forEach(db, sql: "SELECT customer_key, segment FROM segment_membership WHERE as_of = '\(run.asOf)'") { row in
            let name = row.text(1)
            let index = segmentIndex[name] ?? {
                segments.append(name)
                segmentIndex[name] = Int16(segments.count - 1)
                return Int16(segments.count - 1)
            }()
            segmentOf[Int(row.int64(0))] = index
        }
        segments.append(unknownSegment)

        var offers: [Offer] = []
        offers.reserveCapacity(run.offers)
        var typeNames = OfferType.allCases.map(\.rawValue)
        try RowScan.forEach(db, sql: """
            SELECT customer_key, COALESCE(CASE offer_type \(OfferType.ordinalCases) END, -1), holdout, discount_pct,
                   COALESCE(product_key, -1), COALESCE(category_key, -1), offer_type
            FROM offer WHERE as_of = '\(run.asOf)'
            """) { row in
            var type = Int8(row.int64(1))
            if type < 0 {
                // A type this version does not know (made by a newer one): measured under its name.
                let name = row.text(6)
                type = Int8(typeNames.firstIndex(of: name) ?? { typeNames.append(name); return typeNames.count - 1 }())
            }
            offers.append(Offer(customer: Int32(row.int64(0)), type: type, holdout: row.int64(2) == 1, discountPct: Int8(row.int64(3)),
                                product: Int32(row.int64(4)), category: Int32(row.int64(5))))
        }

        var purchases: [Purchase] = []
        try RowScan.forEach(db, sql: """
            SELECT o.customer_key, l.product_key, l.quantity, l.amount_minor, o.ordered_at
            FROM agg_order o CROSS JOIN order_line l ON l.order_key = o.order_key AND l.customer_key = o.customer_key
            WHERE o.ordered_at >= ? AND o.ordered_at < ? AND o.customer_key IS NOT NULL
            """, arguments: [clock.startOfDay(run.windowFrom), clock.startOfDay(run.windowFrom + Int64(windowDays))]) { row in
            purchases.append(Purchase(customer: Int32(row.int64(0)), product: Int32(row.int64(1)), quantity: Int32(row.int64(2)),
                                      amountMinor: row.int64(3), orderedAt: row.int64(4)))
        }

        let byCustomer = KeyGrouping.group([offers], maxKey: maxCustomer) { Int($0.customer) }
        let linesOf = KeyGrouping.group([purchases], maxKey: maxCustomer) { Int($0.customer) }
        // A purchase converts the offer anywhere in the window, but its discount ends with the offer.
        let discountUntil = clock.startOfDay(run.validTo + 1)
        let slots = typeNames.count * segments.count * 2
        var sums = [Sums](repeating: Sums(), count: slots)
        for customer in 0...maxCustomer where byCustomer.starts[customer] < byCustomer.starts[customer + 1] {
            let mine = byCustomer.starts[customer]..<byCustomer.starts[customer + 1]
            let lines = linesOf.items[linesOf.starts[customer]..<linesOf.starts[customer + 1]]
            var revenue: Int64 = 0, margin: Int64 = 0, bought = false
            for line in lines {
                revenue += line.amountMinor
                margin += catalog.marginMinor(product: line.product, quantity: line.quantity, amountMinor: line.amountMinor)
                if line.quantity > 0 { bought = true }
            }
            let holdout = byCustomer.items[mine.lowerBound].holdout
            outcomes.offeredCustomers += 1
            if holdout { outcomes.controlCustomers += 1 }
            let segment = segmentOf[customer] >= 0 ? Int(segmentOf[customer]) : segments.count - 1
            // A customer has a few offers a night: units are found by scanning them, not sorting.
            for first in mine where !byCustomer.items[mine.lowerBound..<first].contains(where: { $0.type == byCustomer.items[first].type }) {
                let type = byCustomer.items[first].type
                var unit = Sums(units: 1, convertedAny: bought ? 1 : 0, revenueMinor: revenue,
                                revenueSquares: Double(revenue) * Double(revenue), marginMinor: margin)
                for offer in byCustomer.items[first..<mine.upperBound] where offer.type == type {
                    var discountedMinor: Int64 = 0, matched = false
                    for line in lines where line.quantity > 0 && matches(offer, line, catalog) {
                        matched = true
                        if line.orderedAt < discountUntil { discountedMinor += line.amountMinor }
                    }
                    if matched { unit.convertedOffered = 1 }
                    if !holdout && discountedMinor > 0 { unit.discountCostMinor += percent(discountedMinor, Int64(offer.discountPct)) }
                }
                sums[(Int(type) * segments.count + segment) * 2 + (holdout ? 1 : 0)].add(unit)
            }
        }
        for type in typeNames.indices {
            for segment in segments.indices {
                for holdout in [false, true] where sums[(type * segments.count + segment) * 2 + (holdout ? 1 : 0)].units > 0 {
                    outcomes.cells.append(Cell(offerType: typeNames[type], segment: segments[segment], holdout: holdout,
                                               sums: sums[(type * segments.count + segment) * 2 + (holdout ? 1 : 0)]))
                }
            }
        }
        outcomes.controlDeliveredCustomers = try Int.fetchOne(db, sql: """
            SELECT COUNT(DISTINCT o.customer_key) FROM offer o
            JOIN offer_event e ON e.offer_id = o.offer_id AND e.customer_key = o.customer_key AND e.event = 'delivered'
            WHERE o.as_of = ? AND o.holdout = 1
            """, arguments: [run.asOf]) ?? 0
        return outcomes
    }

    private static func matches(_ offer: Offer, _ line: Purchase, _ catalog: Catalog) -> Bool {
        if offer.product >= 0 { return line.product == offer.product }
        if offer.category >= 0 { return catalog.isIn(product: line.product, category: offer.category) }
        return true
    }

    /// `amount × pct / 100`, rounded half away from zero in integers (amounts here are positive).
    static func percent(_ amountMinor: Int64, _ pct: Int64) -> Int64 { (2 * amountMinor * pct + 100) / 200 }

    /// Replaces the night's earlier measurement with this window length, if any.
    func save(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM offer_outcome_run WHERE as_of = ? AND attribution_days = ?", arguments: [run.asOf, windowDays])
        try db.execute(sql: """
            INSERT INTO offer_outcome_run (as_of, attribution_days, window_from, window_to, offers, offered_customers, control_customers,
                                           holdout_share, control_delivered_customers, made_by_run)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.asOf, windowDays, CivilDate.format(run.windowFrom), CivilDate.format(run.windowFrom + Int64(windowDays) - 1),
                             run.offers, offeredCustomers, controlCustomers, run.holdoutShare, controlDeliveredCustomers, run.madeByRun])
        let insert = try db.makeStatement(sql: """
            INSERT INTO offer_outcome (as_of, attribution_days, offer_type, segment, holdout, units, converted_offered, converted_any,
                                       revenue_minor, revenue_squares, margin_minor, discount_cost_minor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for cell in cells {
            let sums = cell.sums
            try insert.execute(arguments: [run.asOf, windowDays, cell.offerType, cell.segment, cell.holdout ? 1 : 0, sums.units,
                                           sums.convertedOffered, sums.convertedAny, sums.revenueMinor, sums.revenueSquares,
                                           sums.marginMinor, sums.discountCostMinor])
        }
    }
}
