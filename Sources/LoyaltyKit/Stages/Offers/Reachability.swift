/// The run summary's line for a night that reaches few of the customers it has offers for: how
/// many no channel reaches, why, and the setting that changes the biggest cause. Without it a
/// night of zero offers said only "dropped candidates: no channel 30694".
enum Reachability {
    /// - Parameters:
    ///   - reach: customers with candidates by how their channels turned out.
    ///   - channels: `offers.channels`.
    /// - Returns: nil when at least half of them are reached.
    static func warning(_ reach: [ChannelStatus: Int], channels: [String]) -> String? {
        let withCandidates = reach.values.reduce(0, +)
        let unreachable = withCandidates - (reach[.reachable] ?? 0)
        guard unreachable > 0, unreachable * 2 >= withCandidates else { return nil }
        guard !channels.isEmpty else {
            return "\(unreachable) customers have offer candidates, but offers.channels is empty: no offer can be sent. "
                + "List the channels to send on (offers.channels; docs/offers.md#channels)."
        }
        let causes: [(status: ChannelStatus, words: String)] = [
            (.noConsent, "without consent"), (.noAddress, "without an address"), (.invalidAddress, "with an invalid address"),
            (.suppressed, "suppressed"),
        ]
        let counts = causes.compactMap { cause in reach[cause.status].map { "\($0) \(cause.words)" } }.joined(separator: ", ")
        var biggest = ChannelStatus.noConsent, most = 0
        for cause in causes where (reach[cause.status] ?? 0) > most {
            (biggest, most) = (cause.status, reach[cause.status] ?? 0)
        }
        return "\(unreachable) of \(withCandidates) customers with offer candidates are reached by no channel (\(channels.joined(separator: ", "))): \(counts). "
            + advice(biggest)
    }

    private static func advice(_ cause: ChannelStatus) -> String {
        switch cause {
        case .noConsent, .reachable:
            return "Most gave no consent for these channels (consent_email, consent_sms, consent_push in customers.csv): deliver the "
                + "consents, or add a channel that needs none, such as the loyalty card "
                + "(channels: {card: {consent: none, address: customer_id}}; docs/offers.md#channels)."
        case .noAddress:
            return "Most have no address for the channels they consented to: deliver email and phone in customers.csv, or add a "
                + "channel addressed by customer_id, such as the loyalty card (docs/offers.md#channels)."
        case .invalidAddress:
            return "Most have an address that did not validate: contact_issues.csv lists each with its reason; national phone "
                + "numbers need ingest.phone_country_code (docs/inputs.md#contact-addresses)."
        case .suppressed:
            return "Most are suppressed (suppressions.csv or an unsubscribe), as intended: change nothing unless the suppressions are wrong."
        }
    }
}
