/// Order lines parsed and validated on the reading thread, waiting to be written on the database
/// thread. References to customers and orders first seen in this file are provisional indexes
/// that the writer turns into keys as it inserts them.
struct OrderLineBatch {
    /// Customer ids not in the warehouse, in the order of their provisional index.
    var newCustomerIds: [String] = []
    /// Every order first seen in this file, in the order of its index.
    var orders: [OrderHeader] = []
    var lines: [EncodedLine] = []
    var rejects: [(line: Int, raw: String, reason: String)] = []

    var isEmpty: Bool { newCustomerIds.isEmpty && orders.isEmpty && lines.isEmpty && rejects.isEmpty }

    struct OrderHeader {
        let orderId: String
        let customer: CustomerRef
        let orderedAt: Int64
        let storeId: String?
        let channel: String?
    }

    /// One valid line; money in minor units of 1/10,000; `Int64.min` stands for an empty bonus.
    struct EncodedLine {
        let orderIndex: Int32
        let lineNo: Int32
        let productKey: Int64
        let customer: CustomerRef
        let orderedAt: Int64
        let quantity: Int64
        let unitPrice: Int64
        let discount: Int64
        let amount: Int64
        let bonusEarned: Int64
        let bonusSpent: Int64
    }
}

/// A customer as the reader knows it: a warehouse key, a provisional index of a customer first
/// seen in this file, or nobody (an anonymous purchase).
struct CustomerRef: Equatable {
    let raw: Int64

    static let anonymous = CustomerRef(raw: -1)
    static func key(_ key: Int64) -> CustomerRef { CustomerRef(raw: key) }
    static func provisional(_ index: Int) -> CustomerRef { CustomerRef(raw: -2 - Int64(index)) }

    var provisionalIndex: Int? { raw <= -2 ? Int(-2 - raw) : nil }
}
