import Foundation
import Yams

/// The `offers:` section of the pipeline file (every key documented in docs/offers.md and
/// pipelines/nightly.yml).
public struct OffersConfig: Equatable, Sendable {
    public var maxPerCustomer = 3
    public var holdoutShare = 0.05
    /// Mixed into the control-group hash: a new salt draws a new control group.
    public var holdoutSalt = "loyalty"
    public var holdoutRotation = HoldoutRotation.month
    /// Offers are valid from the day after as_of for this many days.
    public var validDays = 14
    /// Names of `channels:` offers go out on, in order of preference: a customer gets the first one
    /// they can be reached on. Default: email, push, sms, then the channels the pipeline file adds.
    public var channels = ["email", "push", "sms"]
    /// Margin as a share of price when a product has no cost.
    public var marginRate = 0.3
    /// A discounted offer must keep at least this share of the price as margin.
    public var marginFloor = 0.05
    /// No offer of the same type (and product) to a customer within this many days of an earlier one.
    public var cooldownDays = 14
    /// Each channel's cap (`channels.NAME.cap`) counts its offers within this window, this run's included.
    public var contactWindowDays = 30
    /// No offer on a product the customer bought within this many days, unless it is a replenishment.
    public var recentPurchaseDays = 30
    /// Offers per customer within one category.
    public var maxPerCategory = 1
    /// What orders a customer's offers (which of them are kept): expected value, or the chance alone.
    public var rankBy = OfferRanking.expectedValue
    /// Half-life of a past purchase's weight in the cross-sell affinity.
    public var halfLifeDays = 90.0
    /// Up-sell: at most this multiple of the customer's usual price, and at least this many orders.
    public var upsellPriceStep = 1.5
    public var upsellMinOrders = 5
    /// Replenishment: due within this many days either side of as_of.
    public var replenishDueWindowDays = 7
    /// Replenishment: the product's cycle counts as this many of the customer's own gaps.
    public var replenishShrinkGaps = 3
    public var birthdayDaysAhead = 7
    public var winBackSegments = ["At Risk", "Can't Lose Them", "About To Sleep", "Lost"]
    public var winBackMinMonetaryScore = 3
    /// Win-back also goes to customers whose P(alive) is below this and whose CLV decile is at
    /// least `winBackMinCLVDecile` (customer value), whatever their segment.
    public var winBackPAliveBelow = 0.5
    public var winBackMinCLVDecile = 8
    public var favouriteMinOrders = 2
    public var welcomeBestsellers = 3
    /// Discount in percent per offer type (types not listed: none).
    public var discountPct: [OfferType: Int] = [.replenishment: 5, .winBack: 15, .birthday: 10, .favouriteItem: 10, .welcome: 10]
    /// Money per type per run: the sum of the discounts if every offer were redeemed, at most this.
    public var budgetMinor: [OfferType: Int64] = [:]
    /// Segment → the bonus offered to it.
    public var segmentBonus: [String: String] = ["Champions": "early access", "Loyal Customers": "double points"]
    /// offers.csv ends with an `evidence` column (not in the contract; `loyalty explain` shows
    /// the evidence of any offer either way).
    public var evidenceColumn = false
    /// Template fields written to every feed after the recipient columns, unless its channel
    /// lists its own (`channels.NAME.fields`).
    public var feedFields: [FeedField] = [.firstName, .productName, .price, .discountPct, .validTo, .segment]
    /// Test recipients appended to every feed (a sample of the top offer), so the team sees each send.
    public var testRecipients: [TestRecipient] = []

    public init() {}

    public enum HoldoutRotation: String, Equatable, Sendable, CaseIterable {
        case month, quarter, year, never
    }

    public enum FeedField: String, Equatable, Sendable, CaseIterable {
        case firstName = "first_name", productId = "product_id", productName = "product_name", categoryId = "category_id"
        case price, discountPct = "discount_pct", discountedPrice = "discounted_price", validFrom = "valid_from", validTo = "valid_to"
        case segment, offerType = "offer_type", reason

        /// A list of field names (`offers.feed_fields`, `channels.NAME.fields`).
        static func parse(_ nodes: [Node], in map: YAMLMapping, key: String) throws -> [FeedField] {
            try map.strings(nodes, key: key).map { name in
                guard let field = FeedField(rawValue: name) else {
                    throw map.fail(key, "unknown field '\(name)' (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return field
            }
        }
    }

    /// A member of the team who sees every send; the addresses are validated as customers' are.
    public struct TestRecipient: Equatable, Sendable {
        public var name: String
        public var email: String?
        public var phone: String?

        public init(name: String, email: String? = nil, phone: String? = nil) {
            self.name = name
            self.email = email
            self.phone = phone
        }
    }

    /// - Parameter phoneRules: `ingest.phone_*`, for the test recipients' numbers.
    static func parse(_ map: inout YAMLMapping, phoneRules: PhoneRules) throws -> OffersConfig {
        var offers = OffersConfig()
        offers.maxPerCustomer = try map.int("max_per_customer", in: 0...1000) ?? offers.maxPerCustomer
        offers.holdoutShare = try map.double("holdout_share", in: 0...0.5) ?? offers.holdoutShare
        offers.holdoutSalt = try map.string("holdout_salt") ?? offers.holdoutSalt
        if let rotation = try map.string("holdout_rotation") {
            guard let parsed = HoldoutRotation(rawValue: rotation) else {
                throw map.fail("holdout_rotation", "expected one of month, quarter, year, never; got '\(rotation)'")
            }
            offers.holdoutRotation = parsed
        }
        offers.validDays = try map.int("valid_days", in: 1...366) ?? offers.validDays
        if let nodes = try map.sequence("channels") {
            offers.channels = try map.strings(nodes, key: "channels")
            guard Set(offers.channels).count == offers.channels.count else { throw map.fail("channels", "a channel is listed twice") }
        }
        offers.marginRate = try map.double("margin_rate", in: 0...1) ?? offers.marginRate
        offers.marginFloor = try map.double("margin_floor", in: 0...1) ?? offers.marginFloor
        offers.cooldownDays = try map.int("cooldown_days", in: 0...3650) ?? offers.cooldownDays
        if map.node("contact_caps") != nil {
            throw map.fail("contact_caps", "caps are set per channel now: channels: {email: {cap: 4}, sms: {cap: 2}} (docs/offers.md#channels)")
        }
        offers.contactWindowDays = try map.int("contact_window_days", in: 1...3650) ?? offers.contactWindowDays
        offers.recentPurchaseDays = try map.int("recent_purchase_days", in: 0...3650) ?? offers.recentPurchaseDays
        offers.maxPerCategory = try map.int("max_per_category", in: 1...1000) ?? offers.maxPerCategory
        if let ranking = try map.string("rank_by") {
            guard let parsed = OfferRanking(rawValue: ranking) else {
                throw map.fail("rank_by", "expected expected_value or propensity; got '\(ranking)'")
            }
            offers.rankBy = parsed
        }
        if map.node("suppression_file") != nil {
            throw map.fail("suppression_file", "suppressions are an input now: put the file in the delivery as suppressions.csv (docs/inputs.md#suppressions)")
        }
        offers.halfLifeDays = try map.double("half_life_days", in: 1...3650) ?? offers.halfLifeDays
        offers.upsellPriceStep = try map.double("upsell_price_step", in: 1...100) ?? offers.upsellPriceStep
        offers.upsellMinOrders = try map.int("upsell_min_orders", in: 1...1_000_000) ?? offers.upsellMinOrders
        offers.replenishDueWindowDays = try map.int("replenish_due_window_days", in: 0...365) ?? offers.replenishDueWindowDays
        offers.replenishShrinkGaps = try map.int("replenish_shrink_gaps", in: 0...1000) ?? offers.replenishShrinkGaps
        offers.birthdayDaysAhead = try map.int("birthday_days_ahead", in: 0...60) ?? offers.birthdayDaysAhead
        if let nodes = try map.sequence("win_back_segments") { offers.winBackSegments = try map.strings(nodes, key: "win_back_segments") }
        offers.winBackMinMonetaryScore = try map.int("win_back_min_m_score", in: 1...20) ?? offers.winBackMinMonetaryScore
        offers.winBackPAliveBelow = try map.double("win_back_p_alive_below", in: 0...1) ?? offers.winBackPAliveBelow
        offers.winBackMinCLVDecile = try map.int("win_back_min_clv_decile", in: 1...11) ?? offers.winBackMinCLVDecile
        offers.favouriteMinOrders = try map.int("favourite_min_orders", in: 1...1000) ?? offers.favouriteMinOrders
        offers.welcomeBestsellers = try map.int("welcome_bestsellers", in: 1...100) ?? offers.welcomeBestsellers
        offers.evidenceColumn = try map.bool("evidence_column") ?? offers.evidenceColumn
        if var discounts = try map.mapping("discount_pct") {
            for type in OfferType.allCases {
                if let pct = try discounts.int(type.rawValue, in: 0...90) { offers.discountPct[type] = pct }
            }
            try discounts.rejectUnknownKeys()
        }
        if var budgets = try map.mapping("budget") {
            for type in OfferType.allCases {
                if let amount = try budgets.double(type.rawValue, in: 0...1e12) {
                    offers.budgetMinor[type] = Int64((amount * Double(Money.scale)).rounded())
                }
            }
            try budgets.rejectUnknownKeys()
        }
        if var bonus = try map.mapping("segment_bonus") {
            var table: [String: String] = [:]
            for segment in bonus.keys {
                guard let text = try bonus.string(segment), !text.isEmpty else { throw bonus.fail(segment, "expected the bonus as text") }
                table[segment] = text
            }
            offers.segmentBonus = table
        }
        if let nodes = try map.sequence("feed_fields") { offers.feedFields = try FeedField.parse(nodes, in: map, key: "feed_fields") }
        if let nodes = try map.sequence("test_recipients") {
            offers.testRecipients = try nodes.map { node in
                var recipient = try YAMLMapping(node: node, file: map.file, path: map.qualified("test_recipients"))
                // Feeds write addresses verbatim: a test recipient's must be as valid as a customer's.
                var parsed = TestRecipient(name: try recipient.string("name") ?? "Test")
                if let email = try recipient.string("email") {
                    switch EmailAddress.normalized(email) {
                    case let .success(address): parsed.email = address
                    case let .failure(problem): throw recipient.fail("email", "'\(email)' is not an address a feed can take: it \(problem)")
                    }
                }
                if let phone = try recipient.string("phone") {
                    switch PhoneNumber.normalized(phone, rules: phoneRules) {
                    case let .success(number): parsed.phone = number
                    case let .failure(problem): throw recipient.fail("phone", "'\(phone)' is not a number a feed can take: it \(problem)")
                    }
                }
                try recipient.rejectUnknownKeys()
                return parsed
            }
        }
        return offers
    }

    /// `offers.*` lines of the config digest.
    var canonicalLines: [String] {
        [
            "offers.max_per_customer=\(maxPerCustomer)", "offers.holdout_share=\(holdoutShare)", "offers.holdout_salt=\(holdoutSalt)",
            "offers.holdout_rotation=\(holdoutRotation.rawValue)", "offers.valid_days=\(validDays)",
            "offers.channels=\(channels.joined(separator: ","))", "offers.margin_rate=\(marginRate)",
            "offers.margin_floor=\(marginFloor)", "offers.cooldown_days=\(cooldownDays)",
            "offers.contact_window_days=\(contactWindowDays)", "offers.recent_purchase_days=\(recentPurchaseDays)",
            "offers.max_per_category=\(maxPerCategory)", "offers.rank_by=\(rankBy.rawValue)",
            "offers.half_life_days=\(halfLifeDays)", "offers.upsell_price_step=\(upsellPriceStep)", "offers.upsell_min_orders=\(upsellMinOrders)",
            "offers.replenish_due_window_days=\(replenishDueWindowDays)", "offers.replenish_shrink_gaps=\(replenishShrinkGaps)",
            "offers.birthday_days_ahead=\(birthdayDaysAhead)", "offers.win_back_segments=\(winBackSegments.joined(separator: "|"))",
            "offers.win_back_min_m_score=\(winBackMinMonetaryScore)", "offers.favourite_min_orders=\(favouriteMinOrders)",
            "offers.win_back_p_alive_below=\(winBackPAliveBelow)", "offers.win_back_min_clv_decile=\(winBackMinCLVDecile)",
            "offers.evidence_column=\(evidenceColumn)",
            "offers.welcome_bestsellers=\(welcomeBestsellers)",
            "offers.discount_pct=\(discountPct.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ","))",
            "offers.budget=\(budgetMinor.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ","))",
            "offers.segment_bonus=\(segmentBonus.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: "|"))",
            "offers.feed_fields=\(feedFields.map(\.rawValue).joined(separator: ","))",
        ]
    }
}

/// The offer types, in the order ties are broken.
public enum OfferType: String, Equatable, Hashable, Sendable, CaseIterable, Comparable {
    case replenishment, crossSell = "cross_sell", upSell = "up_sell", favouriteItem = "favourite_item", newArrival = "new_arrival"
    case winBack = "win_back", birthday, welcome, segmentBonus = "segment_bonus"

    public static func < (a: OfferType, b: OfferType) -> Bool { a.ordinal < b.ordinal }

    /// `WHEN 'cross_sell' THEN 1 …` for `CASE offer_type … END`: large reads of the offer history
    /// map types to ordinals in SQL rather than making a string per row.
    static let ordinalCases = allCases.map { "WHEN '\($0.rawValue)' THEN \($0.ordinal)" }.joined(separator: " ")

    /// Position in `allCases` (the order offers tie-break by), without a search.
    public var ordinal: Int {
        switch self {
        case .replenishment: return 0
        case .crossSell: return 1
        case .upSell: return 2
        case .favouriteItem: return 3
        case .newArrival: return 4
        case .winBack: return 5
        case .birthday: return 6
        case .welcome: return 7
        case .segmentBonus: return 8
        }
    }
}

/// `offers.rank_by`: how a customer's offers are ordered before the per-customer limits keep the
/// first. Expected value weighs the margin, so dear products with a small chance can come first;
/// the propensity puts first what the customer is likeliest to take (the backtest's hits), with
/// the expected value breaking ties. The score written is the expected value either way.
public enum OfferRanking: String, Equatable, Sendable {
    case expectedValue = "expected_value"
    case propensity
}

