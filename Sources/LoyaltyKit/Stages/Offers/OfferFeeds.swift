import Foundation

/// The channel feeds in `feeds/`: one file per channel of the pipeline (`feeds/NAME.csv` or
/// `.jsonl`), one row per offer sent on that channel (never a control-group customer): offer_id,
/// customer_id, the address when the channel sends to an email or phone, and the channel's
/// template fields; then one sample row per test recipient. Created with mode 0600: they hold
/// personal data.
///
/// Addresses are written verbatim (a sending system needs `+49…` as it is, not `'+49…`); ingest
/// let only valid ones into the warehouse, and a valid address never starts like a formula.
enum OfferFeeds {
    static let fileMode: mode_t = 0o600

    /// - Parameter channel: index in `run.channels`.
    static func write(_ channel: Int, _ result: OffersStage.Result, run: OfferRun, validity: OffersStage.Validity,
                      to outputs: OutputFolder) throws {
        let definition = run.channels[channel]
        let fields = run.feedFields(of: channel)
        let offers = result.offers.indices.filter { !result.offers[$0].holdout && Int(result.offers[$0].channel) == channel }
        func text(_ field: OffersConfig.FeedField, _ index: Int) -> String? {
            value(of: field, offer: result.offers[index], customer: result.customers[result.offers[index].customer], run: run, validity: validity)
        }
        // Test recipients see the feed's best offer (or empty fields when the feed is empty).
        let sample = offers.min { OfferArbitration.ranksBefore(result.offers[$0].candidate, result.offers[$1].candidate) }
        var tests: [(id: String, address: String?, values: [String?])] = []
        for (number, recipient) in run.config.testRecipients.enumerated() {
            let address: String?
            switch definition.address {
            case .email: address = recipient.email
            case .phone: address = recipient.phone
            case .customerId, .none: address = nil
            }
            if definition.addressColumn != nil && address == nil { continue }
            let values = fields.map { field -> String? in
                if field == .firstName { return recipient.name }
                guard let sample else { return nil }
                return text(field, sample)
            }
            tests.append(("TEST-\(number + 1)", address, values))
        }
        switch definition.format {
        case .csv:
            try outputs.writeCSV(definition.feedFile, header: ["offer_id", "customer_id"] + [definition.addressColumn].compactMap { $0 } + fields.map(\.rawValue),
                                 mode: fileMode) { csv in
                for index in offers {
                    let offer = result.offers[index], customer = result.customers[offer.customer]
                    try writeId(offer.idNumber, to: csv)
                    try csv.text(customer.id)
                    if definition.addressColumn != nil { try csv.raw(customer.address(on: definition)) }
                    for field in fields { try write(field, offer: offer, customer: customer, run: run, validity: validity, to: csv) }
                    try csv.endRow()
                }
                for test in tests {
                    try csv.text(test.id)
                    try csv.text(test.id)
                    if definition.addressColumn != nil { try csv.raw(test.address) }
                    for value in test.values { try csv.text(value) }
                    try csv.endRow()
                }
            }
        case .jsonl:
            let file = try outputs.create(definition.feedFile, mode: fileMode)
            func line(_ offerId: (FileOutput) throws -> Void, _ customerId: String, _ address: String?, _ values: (Int) -> String?) throws {
                try file.write("{\"offer_id\":")
                try offerId(file)
                try file.write(",\"customer_id\":")
                try writeJSONString(customerId, to: file)
                if let column = definition.addressColumn, let address {
                    try file.write(",\"\(column)\":")
                    try writeJSONString(address, to: file)
                }
                for (position, field) in fields.enumerated() {
                    guard let value = values(position) else { continue }
                    try file.write(",\"\(field.rawValue)\":")
                    try writeJSONString(value, to: file)
                }
                try file.write("}\n")
            }
            for index in offers {
                let customer = result.customers[result.offers[index].customer]
                try line({ file in
                    // An id is letters, digits and a dash: nothing to escape in JSON.
                    try file.write(atMost: OfferHoldout.offerIdLength + 2) { buffer in
                        buffer[0] = 0x22
                        OfferHoldout.writeOfferId(result.offers[index].idNumber, into: buffer + 1)
                        buffer[OfferHoldout.offerIdLength + 1] = 0x22
                        return OfferHoldout.offerIdLength + 2
                    }
                }, customer.id, customer.address(on: definition)) { text(fields[$0], index) }
            }
            for test in tests { try line({ try writeJSONString(test.id, to: $0) }, test.id, test.address) { test.values[$0] } }
            try file.close()
            outputs.recordRows(definition.feedFile, offers.count + tests.count)
        }
    }

    /// An offer id as a CSV cell, written without making a `String` (it never needs quoting, and
    /// starts with a letter, so never with a formula sign).
    static func writeId(_ number: UInt64, to csv: CSVWriter) throws {
        try csv.cell(atMost: OfferHoldout.offerIdLength) { OfferHoldout.writeOfferId(number, into: $0) }
    }

    /// One template field as a CSV cell, numbers written without making strings.
    private static func write(_ field: OffersConfig.FeedField, offer: OffersStage.Offer, customer: CustomerContext, run: OfferRun,
                              validity: OffersStage.Validity, to csv: CSVWriter) throws {
        let candidate = offer.candidate
        let price = candidate.product.map { run.catalog.priceOf[Int($0)] }
        switch field {
        case .price: try csv.money(price)
        case .discountPct: try csv.integer(candidate.discountPct)
        case .discountedPrice: try csv.money(price.map { $0 - ($0 * Int64(candidate.discountPct) + 50) / 100 })
        case .validFrom: try csv.raw(validity.from)
        case .validTo: try csv.raw(validity.to)
        case .offerType: try csv.raw(candidate.type.rawValue)
        default: try csv.text(value(of: field, offer: offer, customer: customer, run: run, validity: validity))
        }
    }

    static func value(of field: OffersConfig.FeedField, offer: OffersStage.Offer, customer: CustomerContext, run: OfferRun,
                      validity: OffersStage.Validity) -> String? {
        let candidate = offer.candidate
        let catalog = run.catalog
        let product = candidate.product.map { catalog.products[Int($0)] }
        switch field {
        case .firstName: return customer.firstName
        case .productId: return product?.id
        case .productName: return product?.name
        case .categoryId: return candidate.categoryKey.flatMap { catalog.categoryIds[$0] }
        case .price: return product.map { Money.format($0.priceMinor) }
        case .discountPct: return String(candidate.discountPct)
        case .discountedPrice: return product.map { Money.format($0.priceMinor - ($0.priceMinor * Int64(candidate.discountPct) + 50) / 100) }
        case .validFrom: return validity.from
        case .validTo: return validity.to
        case .segment: return customer.segment
        case .offerType: return candidate.type.rawValue
        case .reason: return candidate.reason(for: customer, in: run)
        }
    }

    /// A JSON string literal, written into the file's buffer.
    static func writeJSONString(_ text: String, to file: FileOutput) throws {
        try JSONString.write(text) { try file.write(bytes: $0) }
    }
}
