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
            let offers = result.offers.filter { !$0.holdout && $0.channel == channel }
            var rows: [(offerId: String, customerId: String, address: String?, values: [String?])] = offers.map { offer in
                let customer = result.customers[offer.customer]
                let address = channel == .email ? customer.email : channel == .sms ? customer.phone : nil
                return (offer.id, customer.id, address, fields.map { value(of: $0, offer: offer, customer: customer, catalog: catalog, validFrom: validFrom, validTo: validTo) })
            }
            // Test recipients see the feed's best offer (or empty fields when the feed is empty).
            let sample = offers.max { OfferArbitration.ranksBefore($1.candidate, $0.candidate) }
            for (number, recipient) in config.testRecipients.enumerated() {
                let address = channel == .email ? recipient.email : channel == .sms ? recipient.phone : nil
                if channel != .push && (address ?? "").isEmpty { continue }
                let values = fields.map { field -> String? in
                    if field == .firstName { return recipient.name }
                    guard let sample else { return nil }
                    return value(of: field, offer: sample, customer: result.customers[sample.customer], catalog: catalog, validFrom: validFrom, validTo: validTo)
                }
                rows.append(("TEST-\(number + 1)", "TEST-\(number + 1)", address, values))
            }
            switch channel {
            case .email, .sms:
                let addressColumn = channel == .email ? "email" : "phone"
                try outputs.writeCSV("feeds/\(channel.rawValue).csv", header: ["offer_id", "customer_id", addressColumn] + fields.map(\.rawValue),
                                     mode: fileMode) { csv in
                    for row in rows {
                        try csv.text(row.offerId)
                        try csv.text(row.customerId)
                        // The sending system needs the address verbatim: a phone's leading + must not become '+.
                        try csv.raw(row.address)
                        for value in row.values { try csv.text(value) }
                        try csv.endRow()
                    }
                }
            case .push:
                var text = ""
                for row in rows {
                    var members = [("offer_id", row.offerId), ("customer_id", row.customerId)]
                    for (field, value) in zip(fields, row.values) { if let value { members.append((field.rawValue, value)) } }
                    text += "{" + members.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}\n"
                }
                try outputs.write("feeds/push.jsonl", text: text, rows: rows.count, mode: fileMode)
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
        case .reason: return candidate.reason
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
