import Foundation

/// The control group: customers who get their offers computed and stored but never sent, so the
/// offer-effectiveness report can compare them with the rest.
///
/// Each customer's place is a 64-bit hash of "salt|period|customer_id" (`stableHash`); within each segment the
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
            var hash = StableHash()
            hash.feed(salt)
            hash.feed(period)
            hash.feed(customers[index].id)
            return hash.value
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

    /// A stable offer id, "OF-" and 16 hex digits of `offerNumber`: the same as_of, customer,
    /// type and product give the same id.
    static func offerId(asOf: String, customerId: String, type: OfferType, productId: String?) -> String {
        offerId(number: offerNumber(asOf: asOf, customerId: customerId, type: type, productId: productId))
    }

    static func offerNumber(asOf: String, customerId: String, type: OfferType, productId: String?) -> UInt64 {
        var hash = StableHash()
        hash.feed(asOf)
        hash.feed(customerId)
        hash.feed(type.rawValue)
        hash.feed(productId ?? "")
        return hash.value
    }

    static func offerId(number: UInt64) -> String {
        String(unsafeUninitializedCapacity: offerIdLength) { writeOfferId(number, into: $0.baseAddress!) }
    }

    static let offerIdLength = 19

    /// Writes the id's `offerIdLength` bytes, for writers that make no `String` per offer.
    @discardableResult
    static func writeOfferId(_ number: UInt64, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
        buffer[0] = UInt8(ascii: "O")
        buffer[1] = UInt8(ascii: "F")
        buffer[2] = UInt8(ascii: "-")
        let digits: StaticString = "0123456789abcdef"
        for position in 0..<16 {
            buffer[3 + position] = digits.utf8Start[Int((number >> (60 - 4 * UInt64(position))) & 0xF)]
        }
        return offerIdLength
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

/// FNV-1a over the UTF-8 bytes, then SplitMix64's finalizer so every bit depends on every byte:
/// the same text gives the same number on every machine and run. Not cryptographic: it spreads
/// customers evenly, and a million customers' ids hash in milliseconds (SHA-256 took seconds).
func stableHash(_ text: String) -> UInt64 {
    var hash = StableHash()
    hash.feed(text)
    return hash.value
}

/// `stableHash` of texts fed one after another: feeding "a" then "b" hashes "a|b" without making it.
struct StableHash {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    private var started = false

    mutating func feed(_ text: String) {
        if started { add(UInt8(ascii: "|")) }
        started = true
        for byte in text.utf8 { add(byte) }
    }

    private mutating func add(_ byte: UInt8) {
        state ^= UInt64(byte)
        state &*= 0x0000_0100_0000_01B3
    }

    var value: UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
