import Foundation

/// The control group: customers who get their offers computed and stored but never sent, so the
/// offer-effectiveness report can compare them with the rest.
///
/// Each customer's place is SHA-256(salt | period | customer_id); within each segment the
/// customers with the smallest hashes, round(share × segment size) of them, are the control
/// group. So the share holds in every segment (stratified), the choice is the same on every rerun,
/// and a new period (`offers.holdout_rotation`) or salt draws a new group.
enum OfferHoldout {
    static func period(of day: Int64, rotation: OffersConfig.HoldoutRotation) -> String {
        let date = CivilDate.civil(day)
        switch rotation {
        case .month: return "\(date.year)-\(date.month < 10 ? "0" : "")\(date.month)"
        case .quarter: return "\(date.year)-Q\((date.month - 1) / 3 + 1)"
        case .year: return "\(date.year)"
        case .never: return "always"
        }
    }

    /// - Returns: for each customer (same order as given), whether they are in the control group.
    static func controlGroup(customers: [(id: String, segment: String)], share: Double, salt: String, period: String) -> [Bool] {
        let hashes = parallelMap(customers.count) { index in
            UInt64(SHA256.hex("\(salt)|\(period)|\(customers[index].id)").prefix(16), radix: 16)!
        }
        var bySegment: [String: [(hash: UInt64, index: Int)]] = [:]
        for (index, customer) in customers.enumerated() { bySegment[customer.segment, default: []].append((hashes[index], index)) }
        var control = [Bool](repeating: false, count: customers.count)
        for (_, members) in bySegment {
            let size = Int((share * Double(members.count)).rounded())
            for member in members.sorted(by: { ($0.hash, $0.index) < ($1.hash, $1.index) }).prefix(size) { control[member.index] = true }
        }
        return control
    }

    /// A stable offer id: the same as_of, customer, type and product give the same id.
    static func offerId(asOf: String, customerId: String, type: OfferType, productId: String?) -> String {
        "OF-" + SHA256.hex("\(asOf)|\(customerId)|\(type.rawValue)|\(productId ?? "")").prefix(16)
    }
}

/// `transform(0..<count)` on every core, in order (for per-customer hashing of a million customers).
func parallelMap<T>(_ count: Int, _ transform: (Int) -> T) -> [T] {
    let chunks = min(64, max(1, count / 1024))
    let perChunk = (count + chunks - 1) / chunks
    var parts = [[T]](repeating: [], count: chunks)
    parts.withUnsafeMutableBufferPointer { parts in
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            parts[chunk] = ((chunk * perChunk)..<min(count, (chunk + 1) * perChunk)).map(transform)
        }
    }
    return parts.flatMap { $0 }
}
