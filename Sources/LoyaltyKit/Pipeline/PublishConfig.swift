/// `publish:` in the pipeline file: how the reports read the warehouse for marketers.
public struct PublishConfig: Equatable, Sendable {
    /// A customer is active with an order within this many days up to as_of (as_of included).
    public var activeDays = 90
    /// A customer is new when their first order is within this many days up to as_of.
    public var newDays = 30
    /// What to do with each segment, in segments_report.csv; a segment without one gets none.
    public var segmentActions: [String: String] = [
        "Champions": "Reward them: early access, no discounts needed; ask for reviews and referrals",
        "Loyal Customers": "Up-sell dearer lines; invite to the loyalty tier above",
        "Potential Loyalist": "Offer membership or a loyalty programme; recommend related products",
        "New Customers": "Onboard: welcome series, help with the first repeat purchase",
        "Promising": "Build the habit: free shipping or a small voucher on the next order",
        "Need Attention": "Limited-time offers on what they bought before; reactivate with recommendations",
        "About To Sleep": "Win them back with popular products and a modest discount",
        "At Risk": "Personal win-back: renewals, a stronger discount, a service call",
        "Can't Lose Them": "Win them back with the best offers; ask what went wrong",
        "Lost": "One last revival campaign; otherwise stop spending on them",
        "Others": "Watch: no rule matched their scores",
        "No Purchases": "Convert: welcome offer with bestsellers",
    ]

    /// Columns of each lists/SEGMENT.csv after customer_id.
    public var listFields = SegmentLists.defaultFields

    /// Days after an offer's first valid day in which a purchase counts for it. A night's offers
    /// are measured once this window has closed.
    public var attributionDays = 14
    /// effectiveness.csv pools the nights whose offers were made within this many days up to as_of.
    public var effectivenessDays = 90
    /// A night's control group fails the sample-ratio check when the χ² test's p-value is below this.
    public var srmAlpha = 0.001
    /// A night's control group fails the contamination check when more than this share of its
    /// customers had an offer of that night delivered.
    public var contaminationTolerance = 0.01

    public init() {}

    static func parse(_ map: inout YAMLMapping) throws -> PublishConfig {
        var publish = PublishConfig()
        publish.activeDays = try map.int("active_days", in: 1...3650) ?? publish.activeDays
        publish.newDays = try map.int("new_days", in: 1...3650) ?? publish.newDays
        publish.attributionDays = try map.int("attribution_days", in: 1...366) ?? publish.attributionDays
        publish.effectivenessDays = try map.int("effectiveness_days", in: 1...3650) ?? publish.effectivenessDays
        // A night enters the report when its window has closed and it is within the horizon: a
        // horizon no longer than the window would keep effectiveness.csv empty for ever.
        if publish.effectivenessDays <= publish.attributionDays {
            throw map.fail(map.node("effectiveness_days") != nil ? "effectiveness_days" : "attribution_days",
                           "effectiveness_days (\(publish.effectivenessDays)) must be greater than attribution_days (\(publish.attributionDays)): "
                           + "a night is reported only once its attribution window has closed")
        }
        publish.srmAlpha = try map.double("srm_alpha", in: 0...0.5) ?? publish.srmAlpha
        publish.contaminationTolerance = try map.double("contamination_tolerance", in: 0...1) ?? publish.contaminationTolerance
        if let nodes = try map.sequence("list_fields") {
            publish.listFields = try map.strings(nodes, key: "list_fields")
            for name in publish.listFields where !SegmentLists.fields.contains(where: { $0.name == name }) {
                throw map.fail("list_fields", "unknown field '\(name)' (known: \(SegmentLists.fields.map(\.name).joined(separator: ", ")))")
            }
        }
        if var actions = try map.mapping("segment_actions") {
            for segment in actions.keys {
                guard let text = try actions.string(segment), !text.isEmpty else { throw actions.fail(segment, "expected the action as text") }
                publish.segmentActions[segment] = text
            }
        }
        return publish
    }

    var canonicalLines: [String] {
        ["publish.active_days=\(activeDays)", "publish.new_days=\(newDays)", "publish.list_fields=\(listFields.joined(separator: ","))",
         "publish.attribution_days=\(attributionDays)", "publish.effectiveness_days=\(effectivenessDays)",
         "publish.srm_alpha=\(srmAlpha)", "publish.contamination_tolerance=\(contaminationTolerance)",
         "publish.segment_actions=\(segmentActions.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: "|"))"]
    }
}
