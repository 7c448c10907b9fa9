import GRDB

/// Loads `offer_events`, the channels' feedback on offers, keyed by (offer_id, customer, event, at).
final class OfferEventLoader: EntityLoader {
    static let events: Set<String> = ["delivered", "opened", "clicked", "redeemed", "unsubscribed"]

    private let clock: ZoneClock
    private let customers: [String: Int64]
    private let upsert: BulkStatement
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    init(_ db: Database, clock: ZoneClock) throws {
        self.clock = clock
        customers = try keyMap(db, table: "customer")
        upsert = try BulkStatement(db, sql: """
            INSERT INTO offer_event (offer_id, customer_key, event, at, order_id) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (offer_id, customer_key, event, at) DO UPDATE SET order_id = excluded.order_id
            """)
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = try reason(record) { try rejects.reject(record, reason) }
    }

    func finish(rejects: RejectSink) throws {}

    private func reason(_ record: InputRecord) throws -> String? {
        if let reason = basicRejectReason(record, entity: .offerEvents) { return reason }
        let customerId = record.string(1) ?? ""
        guard let customerKey = customers[customerId] else { return RejectReason.unknown("customer", customerId) }
        let event = (record.string(2) ?? "").lowercased()
        guard Self.events.contains(event) else {
            return "invalid event: '\(record.string(2) ?? "")' (expected one of \(Self.events.sorted().joined(separator: ", ")))"
        }
        let at: Int64
        switch record.parse(3, "at", FieldParser.timestamp) {
        case let .success(timestamp): at = clock.utcSeconds(timestamp)
        case let .failure(error): return error.reason
        }
        let offerId = record.string(0) ?? ""
        let key = "\(offerId)\u{1F}\(customerId)\u{1F}\(event)\u{1F}\(at)"
        if let first = firstLine[key] { return RejectReason.duplicate("(\(offerId), \(customerId), \(event), \(record.string(3) ?? ""))", firstLine: first) }
        firstLine[key] = record.line
        upsert.bind(1, offerId)
        upsert.bind(2, customerKey)
        upsert.bind(3, event)
        upsert.bind(4, at)
        upsert.bind(5, bytes: record.bytes(4))
        try upsert.execute()
        rowsLoaded += 1
        return nil
    }
}
