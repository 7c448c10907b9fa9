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
        var bySegment: [String: [(hash: String, index: Int)]] = [:]
        for (index, customer) in customers.enumerated() {
            bySegment[customer.segment, default: []].append((SHA256.hex("\(salt)|\(period)|\(customer.id)"), index))
        }
        var control = [Bool](repeating: false, count: customers.count)
        for (_, members) in bySegment {
            let size = Int((share * Double(members.count)).rounded())
            for member in members.sorted(by: { $0.hash < $1.hash }).prefix(size) { control[member.index] = true }
        }
        return control
    }

    /// A stable offer id: the same as_of, customer, type and product give the same id.
    static func offerId(asOf: String, customerId: String, type: OfferType, productId: String?) -> String {
        "OF-" + SHA256.hex("\(asOf)|\(customerId)|\(type.rawValue)|\(productId ?? "")").prefix(16)
    }
}
