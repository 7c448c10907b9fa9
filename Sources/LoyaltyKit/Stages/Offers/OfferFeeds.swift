import Foundation

/// The channel feeds in `feeds/`: email.csv, sms.csv and push.jsonl, one row per offer sent on
/// that channel (never a control-group customer), with the recipient and the template fields of
/// `offers.feed_fields`; then one sample row per test recipient. Created with mode 0600: they
/// hold personal data.
enum OfferFeeds {
    static let fileMode: mode_t = 0o600

    static func write(_ result: OffersStage.Result, catalog: OfferCatalog, config: OffersConfig, validFrom: String, validTo: String,
                      to outputs: OutputFolder) throws {
        let fields = config.feedFields
        for channel in OffersConfig.Channel.allCases {
            let offers = result.offers.indices.filter { !result.offers[$0].holdout && result.offers[$0].channel == channel }
            func address(of customer: CustomerContext) -> String? { channel == .email ? customer.email : channel == .sms ? customer.phone : nil }
            func values(_ index: Int) -> [String?] {
                let offer = result.offers[index]
                return fields.map { value(of: $0, offer: offer, customer: result.customers[offer.customer], catalog: catalog, validFrom: validFrom, validTo: validTo) }
            }
            // Test recipients see the feed's best offer (or empty fields when the feed is empty).
            let sample = offers.min { OfferArbitration.ranksBefore(result.offers[$0].candidate, result.offers[$1].candidate) }
            let tests: [(id: String, address: String?, values: [String?])] = config.testRecipients.enumerated().compactMap { number, recipient in
                let address = channel == .email ? recipient.email : channel == .sms ? recipient.phone : nil
                if channel != .push && (address ?? "").isEmpty { return nil }
                let sampleValues = sample.map(values) ?? fields.map { _ in nil }
                return ("TEST-\(number + 1)", address, zip(fields, sampleValues).map { $0 == .firstName ? recipient.name : $1 })
            }
            switch channel {
            case .email, .sms:
                try outputs.writeCSV("feeds/\(channel.rawValue).csv", header: ["offer_id", "customer_id", channel == .email ? "email" : "phone"] + fields.map(\.rawValue),
                                     mode: fileMode) { csv in
                    func row(_ offerId: String, _ customerId: String, _ address: String?, _ values: [String?]) throws {
                        try csv.text(offerId)
                        try csv.text(customerId)
                        // The sending system needs the address verbatim: a phone's leading + must not become '+.
                        try csv.raw(address)
                        for value in values { try csv.text(value) }
                        try csv.endRow()
                    }
                    for index in offers {
                        let customer = result.customers[result.offers[index].customer]
                        try row(result.offers[index].id, customer.id, address(of: customer), values(index))
                    }
                    for test in tests { try row(test.id, test.id, test.address, test.values) }
                }
            case .push:
                let file = try outputs.create("feeds/push.jsonl", mode: fileMode)
                func line(_ offerId: String, _ customerId: String, _ values: [String?]) throws {
                    var members = [("offer_id", offerId), ("customer_id", customerId)]
                    for (field, value) in zip(fields, values) { if let value { members.append((field.rawValue, value)) } }
                    try file.write("{" + members.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}\n")
                }
                for index in offers { try line(result.offers[index].id, result.customers[result.offers[index].customer].id, values(index)) }
                for test in tests { try line(test.id, test.id, test.values) }
                try file.close()
                outputs.recordRows("feeds/push.jsonl", offers.count + tests.count)
            }
        }
    }

    static func value(of field: OffersConfig.FeedField, offer: OffersStage.Offer, customer: CustomerContext, catalog: OfferCatalog,
                      validFrom: String, validTo: String) -> String? {
        let candidate = offer.candidate
        let product = candidate.product.map { catalog.products[Int($0)] }
        switch field {
        case .firstName: return customer.firstName
        case .productId: return product?.id
        case .productName: return product?.name
        case .categoryId: return candidate.categoryKey.flatMap { catalog.categoryIds[$0] }
        case .price: return product.map { Money.format($0.priceMinor) }
        case .discountPct: return String(candidate.discountPct)
        case .discountedPrice: return product.map { Money.format($0.priceMinor - ($0.priceMinor * Int64(candidate.discountPct) + 50) / 100) }
        case .validFrom: return validFrom
        case .validTo: return validTo
        case .segment: return customer.segment
        case .offerType: return candidate.type.rawValue
        case .reason: return offer.reason
        }
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
