/// Decides which candidates become offers. Per customer, in this order (the first rule that
/// drops a candidate is its reason):
///
/// 1. no channel of `offers.channels` reaches the customer, reported by how far they got on the
///    channel that came closest (`ChannelStatus`): `no channel` (no consent, no address),
///    `invalid address` (the address did not validate at ingest) or `suppressed` (suppressions.csv,
///    an unsubscribe);
/// 2. `bought recently`: the product was bought within `offers.recent_purchase_days` (replenishment excepted);
/// 3. `margin floor`: the discount leaves less than `offers.margin_floor` of the price;
/// 4. `cool-down`: the same type (and product) was offered within `offers.cooldown_days`;
/// then best score first (win-back first for a customer no longer buying): 5. `same product` (one offer per product), 6. `category limit`
/// (`offers.max_per_category`), 7. `contact cap` (offers on the channel within
/// `offers.contact_window_days`, this run's included, reached `channels.NAME.cap`), 8. `max per customer`.
/// Across customers, best score first: 9. `budget` (`offers.budget` per type).
enum OfferArbitration {
    enum DropReason: String, CaseIterable, Comparable {
        case noChannel = "no channel", invalidAddress = "invalid address", suppressed, boughtRecently = "bought recently"
        case marginFloor = "margin floor"
        case coolDown = "cool-down", sameProduct = "same product", categoryLimit = "category limit", contactCap = "contact cap"
        case maxPerCustomer = "max per customer", budget

        static func < (a: DropReason, b: DropReason) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    struct Decision {
        /// Index in `OfferRun.channels`; nil when none reaches the customer.
        var channel: Int?
        /// `reachable`, or why no channel reaches the customer.
        var status: ChannelStatus
        var kept: [OfferCandidate] = []
        var dropped: [(candidate: OfferCandidate, reason: DropReason)] = []
    }

    /// The first channel of `offers.channels` that reaches the customer, or how close the closest came.
    static func channel(for customer: CustomerContext, in run: OfferRun) -> (channel: Int?, status: ChannelStatus) {
        var closest = ChannelStatus.noConsent
        for index in run.preference {
            let status = customer.status(on: run.channels[index], index: index)
            if status == .reachable { return (index, .reachable) }
            closest = max(closest, status)
        }
        return (nil, closest)
    }

    static func dropReason(_ status: ChannelStatus) -> DropReason? {
        switch status {
        case .noConsent, .noAddress: return .noChannel
        case .invalidAddress: return .invalidAddress
        case .suppressed: return .suppressed
        case .reachable: return nil
        }
    }

    static func decide(_ candidates: [OfferCandidate], for customer: CustomerContext, past: CustomerPast, in run: OfferRun) -> Decision {
        let (channel, status) = channel(for: customer, in: run)
        var decision = Decision(channel: channel, status: status)
        let unreachable = dropReason(status)
        let config = run.config
        var open: [OfferCandidate] = []
        open.reserveCapacity(candidates.count)
        for candidate in candidates {
            let reason: DropReason?
            if let unreachable {
                reason = unreachable
            } else if candidate.type != .replenishment, let product = candidate.product, let bought = customer.history(of: product),
                      run.asOf - bought.lastDay < Int64(config.recentPurchaseDays) {
                reason = .boughtRecently
            } else if OfferScoring.breaksMarginFloor(candidate, in: run) {
                reason = .marginFloor
            } else if past.recent.contains(where: { $0.type == candidate.type && $0.product == candidate.product }) {
                reason = .coolDown
            } else {
                reason = nil
            }
            if let reason { decision.dropped.append((candidate, reason)) } else { open.append(candidate) }
        }
        let winBackFirst = !customer.isStillBuying(config)
        let byPropensity = config.rankBy == .propensity
        open.sort { ranksBefore($0, $1, winBackFirst: winBackFirst, byPropensity: byPropensity) }
        guard let channel = decision.channel else { return decision }
        let pastContacts = past.contacts(on: channel)
        let cap = run.channels[channel].cap ?? Int.max
        // The kept offers are few (max_per_customer): scanning them beats a set and a dictionary.
        for candidate in open {
            let reason: DropReason?
            if let product = candidate.product, decision.kept.contains(where: { $0.product == product }) {
                reason = .sameProduct
            } else if let category = candidate.categoryKey,
                      decision.kept.reduce(0, { $0 + ($1.categoryKey == category ? 1 : 0) }) >= config.maxPerCategory {
                reason = .categoryLimit
            } else if pastContacts + decision.kept.count >= cap {
                reason = .contactCap
            } else if decision.kept.count >= config.maxPerCustomer {
                reason = .maxPerCustomer
            } else {
                reason = nil
            }
            if let reason {
                decision.dropped.append((candidate, reason))
                continue
            }
            decision.kept.append(candidate)
        }
        return decision
    }

    /// Best score first (with `byPropensity`, `offers.rank_by: propensity`, the likeliest first and
    /// the score after it); ties by type order, then product. For a customer no longer buying
    /// (`CustomerContext.isStillBuying`) win-back comes first whatever its score: the backtest
    /// found their cross-sell hits worth keeping behind it, not in its place.
    static func ranksBefore(_ a: OfferCandidate, _ b: OfferCandidate, winBackFirst: Bool = false, byPropensity: Bool = false) -> Bool {
        if winBackFirst, (a.type == .winBack) != (b.type == .winBack) { return a.type == .winBack }
        if byPropensity, a.propensity != b.propensity { return a.propensity > b.propensity }
        if a.score != b.score { return a.score > b.score }
        if a.type != b.type { return a.type < b.type }
        return (a.product ?? -1) < (b.product ?? -1)
    }
}
