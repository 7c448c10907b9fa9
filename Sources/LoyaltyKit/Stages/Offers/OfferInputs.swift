import Foundation
import GRDB

/// Everything the offers stage reads besides order lines: the catalog, the customers with their
/// segment figures and who must not be contacted on which channel, and the offers of earlier runs.
struct OfferInputs {
    var catalog: OfferCatalog
    /// In customer_id order, each with its invalid addresses and suppressed channels; `products` still empty.
    var customers: [CustomerContext]
    var maxCustomerKey: Int
    /// Earlier runs' offers within the cool-down and contact windows, by customer key.
    var history: PastOffers

    /// Reads everything; the customers and earlier nights' offers (millions of rows, one thread)
    /// while `alongside` runs.
    static func load<Aside>(_ context: StageContext, alongside: (OfferInputs) throws -> Aside) throws -> (OfferInputs, Aside) {
        let config = context.config.offers, channels = context.config.channels
        let until = context.figuresWindow.until
        var inputs = try context.warehouse.database.read { db in
            let catalog = try OfferCatalog.load(db)
            return OfferInputs(catalog: catalog, customers: [], maxCustomerKey: try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? 0,
                               history: PastOffers())
        }
        let (catalog, maxCustomerKey) = (inputs.catalog, inputs.maxCustomerKey)
        let timezone = context.config.timezone, asOfText = context.settings.asOfText, phoneRules = context.config.ingest.phoneRules
        let customers = try ConcurrentRead(context.warehouse) { db in
            let suppressions = try SuppressionList.load(db, asOf: asOfText, unsubscribedBefore: until, clock: try ZoneClock(identifier: timezone),
                                                        channels: channels, phoneRules: phoneRules)
            return (try loadCustomers(db, customerKey: nil, suppressions: suppressions, validDays: config.validDays), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? 0,
                    try PastOffers.load(db, asOf: context.asOf, config: config, channels: channels, maxCustomerKey: maxCustomerKey, catalog: catalog))
        }
        let aside: Aside
        do {
            aside = try alongside(inputs)
        } catch {
            customers.cancel()
            throw error
        }
        let (loaded, known, history) = try customers.result()
        inputs.history = history
        if loaded.isEmpty && known > 0 {
            throw LoyaltyError.missingPrerequisite(stage: "offers", message: "customer segments are missing: run segment first")
        }
        inputs.customers = loaded
        return (inputs, aside)
    }

    /// Customers joined with their segment figures (one customer for `loyalty explain`), with the
    /// addresses that did not validate and the channels `suppressions` keeps them off.
    /// - Parameter validDays: how long the offers are valid (`offers.valid_days`), for each customer's chance to shop meanwhile.
    static func loadCustomers(_ db: Database, customerKey: Int64?, suppressions: SuppressionList, validDays: Int) throws -> [CustomerContext] {
        var invalid: [Int64: AddressSet] = [:]
        try RowScan.forEach(db, sql: "SELECT customer_key, field FROM contact_issue \(customerKey.map { "WHERE customer_key = \($0)" } ?? "")") { row in
            invalid[row.int64(0), default: []].insert(row.text(1) == ContactField.email.rawValue ? .email : .phone)
        }
        let value = try loadValue(db, customerKey: customerKey, validDays: validDays)
        var customers: [CustomerContext] = []
        try RowScan.forEach(db, sql: """
            SELECT c.customer_key, c.customer_id, c.first_name, c.email, c.phone, c.birth_date, c.consent_email, c.consent_sms,
                   c.consent_push, c.registered, r.segment, r.cluster, r.recency_days, r.frequency, r.monetary_minor, r.r_score, r.m_score, r.f_score
            FROM customer c JOIN customer_rfm r USING (customer_key)
            \(customerKey == nil ? "" : "WHERE c.customer_key = ?")
            ORDER BY c.customer_id
            """, arguments: customerKey.map { [$0] } ?? []) { row in
            var consents: ConsentSet = []
            if row.int64(6) != 0 { consents.insert(.email) }
            if row.int64(7) != 0 { consents.insert(.sms) }
            if row.int64(8) != 0 { consents.insert(.push) }
            let birthday = row.optionalText(5).flatMap(CivilDate.parse).map { day -> (month: Int, day: Int) in
                let date = CivilDate.civil(day)
                return (date.month, date.day)
            }
            var customer = CustomerContext(
                key: row.int64(0), id: row.text(1), firstName: row.optionalText(2), email: row.optionalText(3), phone: row.optionalText(4),
                birthday: birthday, consents: consents, segment: row.text(10), cluster: row.optionalInt64(11).map(Int.init),
                recencyDays: row.optionalInt64(12).map(Int.init), frequency: Int(row.int64(13)), monetaryMinor: row.int64(14),
                rScore: row.optionalInt64(15).map(Int.init), fScore: row.optionalInt64(17).map(Int.init), mScore: row.optionalInt64(16).map(Int.init), registered: row.int64(9) != 0,
                products: [], value: value[row.int64(0)])
            customer.invalidAddresses = invalid[customer.key] ?? []
            customer.suppressedChannels = suppressions.mask(customerKey: customer.key, customerId: customer.id, email: customer.email, phone: customer.phone)
            customers.append(customer)
        }
        return customers
    }

    /// customer_value of the as_of the segment figures are for, by customer key: one range scan
    /// of its key, not a lookup per customer.
    static func loadValue(_ db: Database, customerKey: Int64?, validDays: Int) throws -> [Int64: ValueFigures] {
        guard let asOf = try String.fetchOne(db, sql: "SELECT \(ValueSchema.figuresAsOf)") else { return [:] }
        let model = try Row.fetchOne(db, sql: "SELECT r, alpha, bgnbd_trusted FROM value_model WHERE as_of = ?", arguments: [asOf])
        // An untrusted fit (not converged, or a parameter the data cannot identify) gives no chances:
        // every customer then falls back to the same recency factor, so scores stay on one scale.
        let trusted = (model?[2] as Int64?) == 1
        let (r, alpha) = trusted ? (model?[0] as Double?, model?[1] as Double?) : (nil, nil)
        func chance(alive: Double, x: Double, age: Double) -> Double? {
            guard let r, let alpha else { return nil }
            let chance = alive * (1 - pow((alpha + age) / (alpha + age + Double(validDays)), r + x))
            return chance.isFinite ? chance : nil
        }
        var value: [Int64: ValueFigures] = [:]
        try RowScan.forEach(db, sql: """
            SELECT customer_key, p_alive, expected_purchases, expected_order_value_minor, clv_minor, clv_decile, repeat_purchases, t_days
            FROM customer_value WHERE as_of = ? \(customerKey == nil ? "" : "AND customer_key = ?")
            """, arguments: StatementArguments([asOf] + (customerKey.map { [$0] } ?? []) as [DatabaseValueConvertible])) { row in
            var figures = ValueFigures(probabilityAlive: row.optionalDouble(1), expectedPurchases: row.optionalDouble(2),
                                       expectedOrderValueMinor: row.optionalInt64(3), clvMinor: row.optionalInt64(4),
                                       clvDecile: row.optionalInt64(5).map(Int.init))
            figures.trusted = trusted
            if let alive = figures.probabilityAlive, let x = row.optionalInt64(6), let age = row.optionalInt64(7) {
                figures.purchaseChance = chance(alive: alive, x: Double(x), age: Double(age))
            } else {
                figures.purchaseChance = chance(alive: 1, x: 0, age: 0)
            }
            value[row.int64(0)] = figures
        }
        return value
    }
}
