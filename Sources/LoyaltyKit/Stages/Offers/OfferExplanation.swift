import Foundation
import GRDB

/// `loyalty explain --customer ID`: one customer's figures, segment and cluster, the offers the
/// last offers run stored for the as_of with their reasons and evidence, and every candidate that
/// was dropped and why. Candidates are recomputed for this one customer with the same generators
/// and per-customer rules as the stage (the table keeps no texts: the same computation gives them
/// back); a candidate the per-customer rules keep but the stage did not store was dropped by a
/// run-wide budget.
public enum OfferExplanation {
    public static func explain(customerId: String, settings: RunSettings) throws -> String {
        guard FileManager.default.fileExists(atPath: settings.warehousePath) else {
            throw LoyaltyError.usage("warehouse \(settings.warehousePath) does not exist: run the pipeline first (make demo, or loyalty run)")
        }
        let warehouse = try Warehouse(path: settings.warehousePath, phoneRules: settings.config.ingest.phoneRules)
        let config = settings.config
        let clock = try ZoneClock(identifier: config.timezone)
        let asOf = settings.asOf, asOfText = settings.asOfText
        return try warehouse.database.read { db in
            guard let key = try Int64.fetchOne(db, sql: "SELECT customer_key FROM customer WHERE customer_id = ?", arguments: [customerId]) else {
                throw LoyaltyError.usage("customer '\(customerId)' is not in the warehouse \(settings.warehousePath)")
            }
            let window = FiguresWindow(asOf: asOf, lookbackDays: config.segment.lookbackDays, clock: clock)
            let suppressions = try SuppressionList.load(db, asOf: asOfText, unsubscribedBefore: window.until, clock: clock, channels: config.channels,
                                                        phoneRules: config.ingest.phoneRules, customerKey: key)
            guard var customer = try OfferInputs.loadCustomers(db, customerKey: key, suppressions: suppressions, validDays: config.offers.validDays).first else {
                throw LoyaltyError.missingPrerequisite(stage: "explain", message: "customer '\(customerId)' has no segment figures: run segment first")
            }
            let catalog = try OfferCatalog.load(db)
            let history = try CustomerHistory.load(db, customerKey: key, window: window,
                                                   indexOfProduct: { catalog.index(ofKey: $0) })
            customer.products = history.products(ofCustomerKey: key, asOf: asOf, halfLifeDays: config.offers.halfLifeDays)
            let pastOffers = try PastOffers.load(db, asOf: asOf, config: config.offers, channels: config.channels, maxCustomerKey: Int(key),
                                                 customerKey: key, catalog: catalog)
            let past = pastOffers[key]
            let inputs = OfferInputs(catalog: catalog, customers: [customer], maxCustomerKey: Int(key), history: pastOffers)
            let run = OfferRun(catalog: catalog, config: config.offers, channels: config.channels, asOf: asOf)
            let issues = try Row.fetchAll(db, sql: "SELECT field, value, reason FROM contact_issue WHERE customer_key = ?", arguments: [key])
            let decision = OffersStage.decideOne(customer, inputs: inputs, run: run)
            let stored = try Row.fetchAll(db, sql: """
                SELECT o.rank, o.offer_id, o.offer_type, p.product_id, o.channel, o.score, o.expected_value_minor, o.discount_pct, o.holdout
                FROM offer o LEFT JOIN product p USING (product_key) WHERE o.as_of = ? AND o.customer_key = ? ORDER BY o.rank
                """, arguments: [asOfText, key])
            let validity = try Row.fetchOne(db, sql: "SELECT valid_from, valid_to FROM offer_run WHERE as_of = ?", arguments: [asOfText])
            let offersRun = validity != nil
            let clusterLabel = try String.fetchOne(db, sql: "SELECT label FROM cluster_profile WHERE as_of = ? AND cluster = ?",
                                                   arguments: [asOfText, customer.cluster])

            var lines: [String] = []
            lines.append("customer \(customer.id)\(customer.firstName.map { " (\($0))" } ?? ""), as of \(asOfText)")
            lines.append("  segment: \(customer.segment); cluster: \(customer.cluster.map { "\($0)\(clusterLabel.map { " (\($0))" } ?? "")" } ?? "none")")
            lines.append("  recency: \(customer.recencyDays.map { "\($0) days" } ?? "no purchase"); frequency: \(customer.frequency); "
                + "monetary: \(Money.format(customer.monetaryMinor)); scores: r \(customer.rScore.map(String.init) ?? "-") "
                + "f \(customer.fScore.map(String.init) ?? "-") m \(customer.mScore.map(String.init) ?? "-")")
            if let value = customer.value {
                func figure(_ number: Double?) -> String { number.map(NumberFormat.forPeople) ?? "-" }
                lines.append("  value: P(alive) \(figure(value.probabilityAlive)); expected purchases in \(config.value.horizonDays) days "
                    + "\(figure(value.expectedPurchases)); expected order value \(value.expectedOrderValueMinor.map { Money.format($0) } ?? "-"); "
                    + "CLV \(value.clvMinor.map { Money.format($0) } ?? "-")\(value.clvDecile.map { " (decile \($0) of 10)" } ?? ""); "
                    + "chance of a purchase while the offers are valid (\(config.offers.validDays) days) \(figure(value.purchaseChance))")
            }
            lines.append("  consents: \(customer.consents.consents.map { $0.rawValue.replacingOccurrences(of: "consent_", with: "") }.joined(separator: ", ").nonEmpty ?? "none"); "
                + "channel: \(decision.channel.map { run.channels[$0].name } ?? "none")")
            lines.append("  channels: " + run.preference.map { index -> String in
                let channel = run.channels[index]
                let status = customer.status(on: channel, index: index)
                var text = "\(channel.name): " + Self.words(status)
                if status == .invalidAddress, let issue = issues.first(where: { ($0[0] as String) == channel.address.rawValue }) {
                    text += " ('\(issue[1] as String)' \(issue[2] as String))"
                }
                return text
            }.joined(separator: "; "))
            let rules = suppressions.entries(customerKey: key, customerId: customer.id, email: customer.email, phone: customer.phone)
            if !rules.isEmpty {
                lines.append("  suppressed: " + rules.map { rule in
                    let details: String
                    if rule.match == .unsubscribed {
                        details = "unsubscribed on \(rule.since ?? "?")"
                    } else {
                        let dates = [rule.since.map { "since \($0)" }, rule.until.map { "until \($0)" }].compactMap { $0 }.joined(separator: " ")
                        details = [rule.reason, dates.nonEmpty, "suppressions.csv by \(rule.match.rawValue)"].compactMap { $0 }.joined(separator: ", ")
                    }
                    let channel = rule.channel.isEmpty ? "all channels"
                        : rule.unknownChannel ? "all channels, for '\(rule.channel)', which is not a channel of the pipeline" : rule.channel
                    return "\(channel) (\(details))"
                }.joined(separator: "; "))
            }
            lines.append("  products bought: \(customer.products.count); earlier offers: \(past.recent.count) in the cool-down window, "
                + "\(past.allContacts) in the contact window")
            lines.append("")
            if !offersRun {
                lines.append("offers: the offers stage has not run for \(asOfText) (loyalty offers --as-of \(asOfText))")
            } else if stored.isEmpty {
                lines.append("offers: none for \(asOfText)")
            } else {
                let holdout = (stored.first?[8] as Int64?) == 1
                lines.append("offers for \(asOfText)\(holdout ? " (control group: stored, not sent)" : ""):")
                for row in stored {
                    let product: String? = row[3]
                    lines.append("  \(row[0] as Int64). \(row[2] as String)\(product.map { " \($0)" } ?? "") via \(row[4] as String): "
                        + "score \(NumberFormat.forPeople(row[5])), expected value \(Money.format(row[6])), discount \(row[7] as Int64)%, "
                        + "valid \(validity?[0] as String? ?? "?") to \(validity?[1] as String? ?? "?") [\(row[1] as String)]")
                    let recomputed = decision.kept.first { $0.type.rawValue == (row[2] as String)
                        && $0.product.map { catalog.products[Int($0)].id } == product }
                    let unknown = "(not recomputable: the inputs changed since the run)"
                    lines.append("     reason: \(recomputed?.reason(for: customer, in: run) ?? unknown)")
                    lines.append("     evidence: \(recomputed?.evidence(for: customer, in: run) ?? unknown)")
                }
            }
            lines.append("")
            let storedKeys = Set(stored.map { "\($0[2] as String)|\(($0[3] as String?) ?? "")" })
            var dropped = decision.dropped.map { (candidate: $0.candidate, reason: $0.reason.rawValue) }
            if offersRun {
                for candidate in decision.kept where !storedKeys.contains("\(candidate.type.rawValue)|\(candidate.product.map { catalog.products[Int($0)].id } ?? "")") {
                    dropped.append((candidate, OfferArbitration.DropReason.budget.rawValue))
                }
            }
            if dropped.isEmpty {
                lines.append("dropped candidates: none")
            } else {
                lines.append("dropped candidates:")
                for (candidate, reason) in dropped.sorted(by: { OfferArbitration.ranksBefore($0.candidate, $1.candidate) }) {
                    let product = candidate.product.map { " \(catalog.products[Int($0)].id)" } ?? ""
                    lines.append("  - \(candidate.type.rawValue)\(product): \(reason) (score \(NumberFormat.forPeople(candidate.score)))")
                    lines.append("     reason: \(candidate.reason(for: customer, in: run))")
                    lines.append("     evidence: \(candidate.evidence(for: customer, in: run))")
                }
            }
            return lines.map(Self.visible).joined(separator: "\n") + "\n"
        }
    }
}

extension OfferExplanation {
    /// The line with control characters written as `\u{1B}`: customer data (a name, a mistyped
    /// address) could otherwise move the cursor or recolour the terminal of whoever reads it.
    static func visible(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: isControl) else { return line }
        var text = ""
        for scalar in line.unicodeScalars {
            if isControl(scalar) { text += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" } else { text.unicodeScalars.append(scalar) }
        }
        return text
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }

    static func words(_ status: ChannelStatus) -> String {
        switch status {
        case .noConsent: return "no consent"
        case .noAddress: return "no address"
        case .invalidAddress: return "invalid address"
        case .suppressed: return "suppressed"
        case .reachable: return "reachable"
        }
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
