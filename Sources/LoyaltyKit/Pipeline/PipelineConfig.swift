import Foundation
import Yams

/// The pipeline file (`pipelines/*.yml`): every key has a default, documented in
/// `pipelines/nightly.yml` and `docs/configuration.md`. Keys named in the data contract keep their
/// contract names; unknown keys and bad values are errors that name the file, line and key.
public struct PipelineConfig: Equatable, Sendable {
    public var input: String?
    public var output = "out"
    public var warehouse = "var/warehouse.sqlite"
    public var timezone = "UTC"
    public var seed: UInt64 = 42
    public var engine = Engine.sqlite
    public var spark = SparkConfig()
    public var ingest = IngestConfig()
    /// Every channel offers, feeds, suppressions and lists know of: the built-in email, sms and
    /// push, with the changes and additions of `channels:`.
    public var channels = ContactChannel.builtIn
    public var enrich = EnrichConfig()
    public var segment = SegmentConfig()
    public var value = ValueConfig()
    public var pairs = PairsConfig()
    public var offers = OffersConfig()
    public var publish = PublishConfig()

    public init() {}

    public struct IngestConfig: Equatable, Sendable {
        /// Log a progress line every this many rows of a file.
        public var progressEvery = 1_000_000
        /// How national phone numbers become E.164 (`phone_country_code`, `phone_trunk_prefix`).
        public var phoneRules = PhoneRules()
    }

    public struct EnrichConfig: Equatable, Sendable {
        /// A product launched within this many days up to as_of is `new`.
        public var newDays = 30
        /// The observed replenishment cycle needs at least this many repeat-purchase gaps.
        public var replenishMinRepeats = 5
    }

    public struct SegmentConfig: Equatable, Sendable {
        public var lookbackDays: Int?
        public var bins = 5
        public var cutPoints = CutPoints()
        public var rules = SegmentRule.contractDefaults
        /// nil = `auto`: chosen in `kRange` by the mean silhouette.
        public var k: Int?
        public var kRange = 4...8
        public var nInit = 10
        /// Lloyd iterations at most per k-means run.
        public var maxIter = 300
    }

    /// Customer value (BG/NBD and Gamma-Gamma, in the segment stage): docs/value.md.
    public struct ValueConfig: Equatable, Sendable {
        /// Days ahead that expected purchases and CLV cover.
        public var horizonDays = 365
        /// CLV discounts each 30-day step of the horizon by (1 + rate)^(days / 365).
        public var discountRateAnnual = 0.1
    }

    public struct CutPoints: Equatable, Sendable {
        public var recency: [Double]?
        public var frequency: [Double]?
        public var monetary: [Double]?
    }

    public struct PairsConfig: Equatable, Sendable {
        public var minCount = 2
        /// Smallest confidence (a → b) for b to be listed among a's partners.
        public var minConfidence = 0.0
        /// Partners listed per product in product_partners.csv.
        public var partners = 10
        /// Category level of category pairs: nil = each product's own (leaf) category, n = the
        /// ancestor at level n (1 = root).
        public var categoryLevel: Int?
        /// `order`: baskets are orders. `customer`: pairs one customer bought within `windowDays`.
        public var scope = PairScope.order
        public var windowDays = 30
    }

    public enum PairScope: String, Equatable, Sendable {
        case order, customer
    }

    /// Reads and validates a pipeline file.
    /// - Throws: `LoyaltyError.config` naming the line and key of the first problem.
    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoyaltyError.config(file: path, line: nil, key: "(file)", message: "cannot read the pipeline file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LoyaltyError.config(file: path, line: nil, key: "(file)", message: "the pipeline file is not UTF-8")
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml: String, file: String) throws -> PipelineConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw LoyaltyError.config(file: file, line: yamlErrorLine(error), key: "(syntax)", message: "not valid YAML: \(error)")
        }
        var config = PipelineConfig()
        guard let root else { return config }
        var top = try YAMLMapping(node: root, file: file, path: "")
        config.input = try top.string("input")
        config.output = try top.string("output") ?? config.output
        config.warehouse = try top.string("warehouse") ?? config.warehouse
        config.timezone = try top.string("timezone") ?? config.timezone
        if TimeZone(identifier: config.timezone) == nil {
            throw top.fail("timezone", "unknown time zone '\(config.timezone)' (use an IANA name such as UTC or Europe/Berlin)")
        }
        if let seed = try top.int("seed", in: 0...Int.max) { config.seed = UInt64(seed) }
        if let engine = try top.string("engine") {
            guard let parsed = Engine(rawValue: engine) else { throw top.fail("engine", "expected sqlite or spark; got '\(engine)'") }
            config.engine = parsed
        }
        if var spark = try top.mapping("spark") {
            config.spark = try SparkConfig.parse(&spark)
            try spark.rejectUnknownKeys()
        }
        if config.engine == .spark && config.spark.lake == nil {
            throw top.fail("engine", "engine: spark keeps the order lines in a lake: set spark.lake (a folder, hdfs://…, s3a://…)")
        }

        if var ingest = try top.mapping("ingest") {
            config.ingest.progressEvery = try ingest.int("progress_every", in: 1...Int.max) ?? config.ingest.progressEvery
            if let code = ingest.node("phone_country_code") {
                guard let text = code.string, (1...3).contains(text.count), text.allSatisfy({ $0 >= "0" && $0 <= "9" }), text.first != "0" else {
                    throw ingest.fail("phone_country_code", "expected the country's calling code, 1 to 3 digits without + (49 for Germany, 1 for the US); got '\(code.string ?? "?")'")
                }
                config.ingest.phoneRules.countryCode = text
            }
            if let trunk = ingest.node("phone_trunk_prefix") {
                guard let text = trunk.string, text.count <= 2, text.allSatisfy({ $0 >= "0" && $0 <= "9" }) else {
                    throw ingest.fail("phone_trunk_prefix", "expected the digits a national number starts with, at most 2 (\"0\" in most of Europe, \"\" for none); got '\(trunk.string ?? "?")'")
                }
                config.ingest.phoneRules.trunkPrefix = text
            }
            if let prefix = ingest.node("phone_international_prefix") {
                guard let text = prefix.string, (2...3).contains(text.count), text.allSatisfy({ $0 >= "0" && $0 <= "9" }) else {
                    throw ingest.fail("phone_international_prefix", "expected the digits dialled before a country code, 2 or 3 (\"00\" in most countries, \"011\" in North America); got '\(prefix.string ?? "?")'")
                }
                config.ingest.phoneRules.internationalPrefix = text
            }
            try ingest.rejectUnknownKeys()
        }
        if var channels = try top.mapping("channels") {
            config.channels = try ContactChannel.parse(&channels)
            try channels.rejectUnknownKeys()
        }
        if var enrich = try top.mapping("enrich") {
            config.enrich.newDays = try enrich.int("new_days", in: 1...3650) ?? config.enrich.newDays
            config.enrich.replenishMinRepeats = try enrich.int("replenish_min_repeats", in: 1...1_000_000) ?? config.enrich.replenishMinRepeats
            try enrich.rejectUnknownKeys()
        }
        if var segment = try top.mapping("segment") {
            config.segment = try parseSegment(&segment)
            try segment.rejectUnknownKeys()
        }
        if var value = try top.mapping("value") {
            config.value.horizonDays = try value.int("horizon_days", in: 1...3650) ?? config.value.horizonDays
            config.value.discountRateAnnual = try value.double("discount_rate_annual", in: 0...10) ?? config.value.discountRateAnnual
            try value.rejectUnknownKeys()
        }
        if var pairs = try top.mapping("pairs") {
            config.pairs.minCount = try pairs.int("min_count", in: 1...Int.max) ?? config.pairs.minCount
            config.pairs.minConfidence = try pairs.double("min_confidence", in: 0...1) ?? config.pairs.minConfidence
            config.pairs.partners = try pairs.int("partners", in: 1...1000) ?? config.pairs.partners
            if let scope = try pairs.string("scope") {
                guard let parsed = PairScope(rawValue: scope) else {
                    throw pairs.fail("scope", "expected 'order' or 'customer', got '\(scope)'")
                }
                config.pairs.scope = parsed
            }
            config.pairs.windowDays = try pairs.int("window_days", in: 0...3650) ?? config.pairs.windowDays
            if let levelNode = pairs.node("category_level") {
                if levelNode.string == "leaf" {
                    config.pairs.categoryLevel = nil
                } else if let level = levelNode.int, (1...20).contains(level) {
                    config.pairs.categoryLevel = level
                } else {
                    throw pairs.fail("category_level", "expected 'leaf' or a level 1…20 (1 = root), got '\(levelNode.string ?? "?")'")
                }
            }
            try pairs.rejectUnknownKeys()
        }
        // Channels the file adds are used after the built-in ones unless offers.channels says otherwise.
        let added = config.channels.map(\.name).filter { name in !ContactChannel.builtIn.contains { $0.name == name } }
        config.offers.channels += added
        if var offers = try top.mapping("offers") {
            config.offers = try OffersConfig.parse(&offers, phoneRules: config.ingest.phoneRules)
            if offers.node("channels") == nil { config.offers.channels += added }
            for name in config.offers.channels where !config.channels.contains(where: { $0.name == name }) {
                throw offers.fail("channels", "unknown channel '\(name)' (defined: \(config.channels.map(\.name).joined(separator: ", ")); add it under channels:)")
            }
            try offers.rejectUnknownKeys()
        }
        if var publish = try top.mapping("publish") {
            config.publish = try PublishConfig.parse(&publish)
            try publish.rejectUnknownKeys()
        }
        try top.rejectUnknownKeys()
        return config
    }

    private static func parseSegment(_ map: inout YAMLMapping) throws -> SegmentConfig {
        var segment = SegmentConfig()
        segment.lookbackDays = try map.int("lookback_days", in: 1...100_000)
        segment.bins = try map.int("bins", in: 2...20) ?? segment.bins
        if let kNode = map.node("k") {
            if kNode.string == "auto" {
                segment.k = nil
            } else if let k = kNode.int, (1...50).contains(k) {
                segment.k = k
            } else {
                throw map.fail("k", "expected 'auto' or a whole number in 1…50, got '\(kNode.string ?? "?")'")
            }
        }
        if let rangeNodes = try map.sequence("k_range") {
            let values = rangeNodes.compactMap(\.int)
            guard values.count == 2, rangeNodes.count == 2, 2 <= values[0], values[0] <= values[1], values[1] <= 50 else {
                throw map.fail("k_range", "expected [low, high] with 2 ≤ low ≤ high ≤ 50, got \(rangeNodes.map { $0.string ?? "?" })")
            }
            segment.kRange = values[0]...values[1]
        }
        segment.nInit = try map.int("n_init", in: 1...1000) ?? segment.nInit
        segment.maxIter = try map.int("max_iter", in: 1...100_000) ?? segment.maxIter
        if var cuts = try map.mapping("cut_points") {
            for dimension in ["recency", "frequency", "monetary"] {
                guard let nodes = try cuts.sequence(dimension) else { continue }
                let values = try cuts.numbers(nodes, key: dimension)
                guard values.count == segment.bins - 1 else {
                    throw cuts.fail(dimension, "expected \(segment.bins - 1) cut points for \(segment.bins) bins, got \(values.count)")
                }
                guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw cuts.fail(dimension, "cut points must be strictly ascending, got \(values)")
                }
                switch dimension {
                case "recency": segment.cutPoints.recency = values
                case "frequency": segment.cutPoints.frequency = values
                default: segment.cutPoints.monetary = values
                }
            }
            try cuts.rejectUnknownKeys()
        }
        if let ruleNodes = try map.sequence("rules") {
            segment.rules = try ruleNodes.map { node in
                var rule = try YAMLMapping(node: node, file: map.file, path: map.qualified("rules"))
                guard let name = try rule.string("name"), !name.isEmpty else {
                    throw rule.fail("name", "every rule needs a name")
                }
                func range(_ key: String) throws -> ClosedRange<Int> {
                    guard let nodes = try rule.sequence(key) else { return 1...segment.bins }
                    let values = try rule.numbers(nodes, key: key)
                    guard values.count == 2, let low = Int(exactly: values[0]), let high = Int(exactly: values[1]),
                          1 <= low, low <= high, high <= segment.bins else {
                        throw rule.fail(key, "expected [low, high] with 1 ≤ low ≤ high ≤ \(segment.bins), got \(values)")
                    }
                    return low...high
                }
                let parsed = SegmentRule(name: name, recency: try range("recency"), frequency: try range("frequency"),
                                         monetary: try range("monetary"))
                try rule.rejectUnknownKeys()
                return parsed
            }
        } else if segment.bins != 5 {
            throw map.fail("bins", "the default segment rules are written for 5 bins; with \(segment.bins) bins give segment.rules too")
        }
        return segment
    }

    private static func yamlErrorLine(_ error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _): return mark.line
        default: return nil
        }
    }

    /// One `key=value` line per effective setting, sorted: the config digest is its SHA-256, so two
    /// runs with the same digest computed their figures under the same settings.
    public var canonicalText: String {
        func list(_ values: [Double]?) -> String { values.map { $0.map { String($0) }.joined(separator: ",") } ?? "computed" }
        var lines = [
            "timezone=\(timezone)", "seed=\(seed)",
            "enrich.new_days=\(enrich.newDays)", "enrich.replenish_min_repeats=\(enrich.replenishMinRepeats)",
            "segment.lookback_days=\(segment.lookbackDays.map(String.init) ?? "all")",
            "segment.bins=\(segment.bins)",
            "segment.cut_points.recency=\(list(segment.cutPoints.recency))",
            "segment.cut_points.frequency=\(list(segment.cutPoints.frequency))",
            "segment.cut_points.monetary=\(list(segment.cutPoints.monetary))",
            "segment.k=\(segment.k.map(String.init) ?? "auto")", "segment.k_range=\(segment.kRange.lowerBound)-\(segment.kRange.upperBound)",
            "segment.n_init=\(segment.nInit)",
            "segment.max_iter=\(segment.maxIter)",
            "value.horizon_days=\(value.horizonDays)", "value.discount_rate_annual=\(value.discountRateAnnual)",
            "pairs.min_count=\(pairs.minCount)", "pairs.min_confidence=\(pairs.minConfidence)",
            "pairs.partners=\(pairs.partners)", "pairs.scope=\(pairs.scope.rawValue)", "pairs.window_days=\(pairs.windowDays)", "pairs.category_level=\(pairs.categoryLevel.map(String.init) ?? "leaf")",
            "ingest.phone_country_code=\(ingest.phoneRules.countryCode ?? "none")", "ingest.phone_trunk_prefix=\(ingest.phoneRules.trunkPrefix)",
            "ingest.phone_international_prefix=\(ingest.phoneRules.internationalPrefix)",
        ] + ContactChannel.canonicalLines(channels) + offers.canonicalLines + publish.canonicalLines
        for (index, rule) in segment.rules.enumerated() {
            lines.append("segment.rules.\(index)=\(rule.name)|\(rule.recency)|\(rule.frequency)|\(rule.monetary)")
        }
        return lines.sorted().joined(separator: "\n")
    }

    public var digest: String { SHA256.hex(canonicalText) }
}

/// A named segment: customers whose three scores all fall in the closed intervals.
public struct SegmentRule: Equatable, Sendable {
    public var name: String
    public var recency: ClosedRange<Int>
    public var frequency: ClosedRange<Int>
    public var monetary: ClosedRange<Int>

    public init(name: String, recency: ClosedRange<Int>, frequency: ClosedRange<Int>, monetary: ClosedRange<Int>) {
        self.name = name
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }

    /// The contract's default table, in its order (first match wins).
    public static let contractDefaults: [SegmentRule] = [
        SegmentRule(name: "Champions", recency: 5...5, frequency: 5...5, monetary: 5...5),
        SegmentRule(name: "Potential Loyalist", recency: 3...5, frequency: 3...5, monetary: 2...5),
        SegmentRule(name: "Loyal Customers", recency: 2...4, frequency: 2...4, monetary: 2...4),
        SegmentRule(name: "Promising", recency: 3...4, frequency: 1...3, monetary: 3...5),
        SegmentRule(name: "New Customers", recency: 4...5, frequency: 1...3, monetary: 1...5),
        SegmentRule(name: "Can't Lose Them", recency: 1...2, frequency: 3...4, monetary: 4...5),
        SegmentRule(name: "At Risk", recency: 1...2, frequency: 2...5, monetary: 4...5),
        SegmentRule(name: "Need Attention", recency: 1...3, frequency: 3...5, monetary: 3...5),
        SegmentRule(name: "About To Sleep", recency: 2...3, frequency: 1...3, monetary: 1...4),
        SegmentRule(name: "Lost", recency: 1...1, frequency: 1...5, monetary: 1...5),
    ]
}
