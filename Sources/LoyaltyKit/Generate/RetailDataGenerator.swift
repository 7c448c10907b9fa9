import Foundation

// MARK: - Public API

/// Sizes and knobs for `loyalty generate`: a synthetic, but retailer-shaped, input set for the pipeline.
///
/// The same options always give byte-identical files, so a generated set can serve as a fixture, a
/// benchmark input or a reproduction case that anyone can rebuild from one command line.
public struct GeneratorOptions: Sendable, Equatable {
    /// Registered loyalty members (customers.csv rows without planted bad rows).
    public var customers: Int
    /// Products in the catalog (products.csv rows without planted bad rows).
    public var products: Int
    /// Orders, not lines: exactly this many distinct order ids, returns included. Lines come to about
    /// 3.5 per order.
    public var orders: Int
    /// Seeds every random stream; nothing else (no clock, no hash order) influences the output.
    public var seed: UInt64
    /// The last day of history, `YYYY-MM-DD`.
    public var asOf: String
    /// Orders fall in `(asOf - historyDays, asOf]`.
    public var historyDays: Int
    /// Rows that ingest must reject, planted among the good ones (see `BadRowKind`).
    public var badRows: Int
    /// Members whose email or phone is made invalid, as typed wrong at a till (see `BadAddressKind`):
    /// ingest loads them and reports the address in contact_issues.csv.
    public var badAddresses: Int
    /// Rows of suppressions.csv (none: the file is not written), see `SuppressionFile`.
    public var suppressions: Int

    public init(
        customers: Int = 500, products: Int = 120, orders: Int = 3000, seed: UInt64 = 42,
        asOf: String = "2026-11-21", historyDays: Int = 730, badRows: Int = 0, badAddresses: Int = 0, suppressions: Int = 0
    ) {
        self.customers = customers
        self.products = products
        self.orders = orders
        self.seed = seed
        self.asOf = asOf
        self.historyDays = historyDays
        self.badRows = badRows
        self.badAddresses = badAddresses
        self.suppressions = suppressions
    }
}

/// What a generate run wrote.
public struct GeneratorSummary: Sendable, Equatable {
    /// File name -> data rows written (header excluded, planted bad rows included).
    public var files: [String: Int]
    /// File name -> planted bad rows; files without any are absent.
    public var badRows: [String: Int]

    public init(files: [String: Int], badRows: [String: Int]) {
        self.files = files
        self.badRows = badRows
    }
}

/// The deterministic synthetic data generator behind `loyalty generate`.
///
/// It simulates a mid-sized German drugstore-and-grocery chain with a loyalty programme, because the
/// pipeline's stages only show whether they work on data with the shapes they look for:
///
/// * **RFM** needs customer archetypes: one-off buyers (~35 %), churners (active early, then gone),
///   regulars, heavy buyers, members who registered but never bought (~8 %), and ~7 % anonymous orders.
/// * **Co-purchase mining** needs planted product groups that co-occur far above chance
///   (spaghetti + tomato sauce, printer + ink + photo paper, diapers + wipes, ...), on top of a
///   Zipf-like popularity so that "everybody buys the bestseller" noise is present too.
/// * **Offers** need consumables re-bought every `replenish_days`, seasonal products, new launches,
///   premium items, birthdays spread over the year, discounts and bonus points.
///
/// Orders are simulated in time order with a priority queue of per-customer "next order" events, so
/// memory grows with customers and products, never with orders; order ids rise with time.
///
/// ## Planted bad rows
/// With `badRows` N > 0 exactly N extra rows are written (none replaces a good row), kind by kind in
/// round robin (row j has kind `j % 9 + 1`), each spread evenly through its file:
///
/// | # | file | what is wrong | reject reason ingest should give |
/// |---|------|---------------|----------------------------------|
/// | 1 | transactions.csv | `product_id` not in products.csv (`P` + a number past the catalog) | unknown product |
/// | 2 | transactions.csv | `quantity` is `two` | unparsable number |
/// | 3 | transactions.csv | `ordered_at` is `2026-13-45T10:00:00Z` | unparsable timestamp |
/// | 4 | transactions.csv | `order_id` is empty | missing required field |
/// | 5 | transactions.csv | `unit_price` is `1.23456` | more than 4 decimals |
/// | 6 | customers.csv | `customer_id` repeats an earlier customer's id, other values differ | duplicate key |
/// | 7 | customers.csv | `birth_date` is `1990-02-30` (fresh customer id) | impossible date |
/// | 8 | products.csv | `price` is empty (fresh product id) | missing required field |
/// | 9 | categories.csv | `parent_id` names a category that does not exist | unknown parent |
///
/// A bad transaction row is an extra line of a real order (same order id, customer, time, store and
/// channel, except for the planted defect), written right after that order's good lines, so rejecting
/// it leaves every good order whole. Bad rows draw from their own random stream: the good rows of a
/// run with bad rows are byte for byte those of the same run without.
public enum RetailDataGenerator {
    /// Writes categories.csv, products.csv, product_attributes.csv, customers.csv, transactions.csv
    /// (and suppressions.csv when asked for) into `directory` (created if missing).
    ///
    /// Each file is written under a temporary name and renamed into place only when all five are
    /// complete, so a failed run never leaves a half-written set that looks finished.
    public static func generate(
        _ options: GeneratorOptions, into directory: String, progress: (String) -> Void = { _ in }
    ) throws -> GeneratorSummary {
        let asOfDay = try validatedAsOfDay(options)
        try makeDirectory(directory)

        let root = SplitMix64(seed: options.seed)
        let calendar = DemandCalendar(asOfDay: asOfDay, historyDays: options.historyDays)
        var catalogRandom = root.derived(1)
        let catalog = Catalog(productCount: options.products, days: calendar.days, random: &catalogRandom)
        let plan = BadRowPlan(
            total: options.badRows, categories: catalog.categories.count, products: catalog.productCount,
            customers: options.customers, orders: options.orders)
        var badRandom = root.derived(9)
        let stores = StoreNetwork(customers: options.customers)

        let staging = StagingArea(directory: directory)
        defer { staging.discardUnfinished() }
        var files: [String: Int] = [:]

        files[FileName.categories] = try staging.write(FileName.categories) { csv in
            try CatalogFiles.writeCategories(catalog, planted: plan.categories, to: csv)
        }
        progress("\(FileName.categories): \(files[FileName.categories] ?? 0) rows")
        files[FileName.products] = try staging.write(FileName.products) { csv in
            try CatalogFiles.writeProducts(
                catalog, calendar: calendar, planted: plan.products, badRandom: &badRandom, to: csv)
        }
        progress("\(FileName.products): \(files[FileName.products] ?? 0) rows")
        files[FileName.attributes] = try staging.write(FileName.attributes) { csv in
            try CatalogFiles.writeAttributes(catalog, to: csv)
        }
        progress("\(FileName.attributes): \(files[FileName.attributes] ?? 0) rows")

        var archetypeRandom = root.derived(2)
        var profileRandom = root.derived(3)
        let anonymousOrders = Population.anonymousOrders(total: options.orders)
        let archetypes = Population.archetypes(
            customers: options.customers, customerOrders: options.orders - anonymousOrders,
            random: &archetypeRandom)
        // Sized by the good rows only, so planting bad rows never changes a good id (kind 7's fresh
        // ids may simply come out a digit longer).
        let customerIdWidth = max(6, Text.digitCount(options.customers))
        var profiles: [ShopperProfile] = []
        var members: [People.Person] = []
        files[FileName.customers] = try staging.write(FileName.customers) { csv in
            (profiles, members) = try CustomerFile.write(
                archetypes: archetypes, idWidth: customerIdWidth, asOfDay: asOfDay, calendar: calendar,
                catalog: catalog, stores: stores, planted: plan.customers, badAddresses: options.badAddresses,
                random: &profileRandom, badRandom: &badRandom, to: csv)
        }
        progress("\(FileName.customers): \(files[FileName.customers] ?? 0) rows")
        if options.suppressions > 0 {
            files[FileName.suppressions] = try staging.write(FileName.suppressions) { csv in
                try SuppressionFile.write(options.suppressions, members: members, archetypes: archetypes, idWidth: customerIdWidth,
                                          asOfDay: asOfDay, to: csv)
            }
            progress("\(FileName.suppressions): \(files[FileName.suppressions] ?? 0) rows")
        }
        let customerOrders = Population.allocate(orders: options.orders - anonymousOrders, profiles: &profiles)
        let anonymous = anonymousOrders + (options.orders - anonymousOrders - customerOrders)

        files[FileName.transactions] = try staging.write(FileName.transactions) { csv in
            var simulator = OrderSimulator(
                catalog: catalog, calendar: calendar, profiles: profiles, customerIdWidth: customerIdWidth,
                anonymousOrders: anonymous, stores: stores, planted: plan.transactions,
                missingPriceRows: plan.countsByKind[BadRowKind.missingPrice.rawValue], random: root.derived(5),
                badRandom: badRandom, csv: csv)
            try simulator.run(progress: progress)
        }
        progress("\(FileName.transactions): \(files[FileName.transactions] ?? 0) rows")

        try staging.commit()
        return GeneratorSummary(files: files, badRows: plan.countsByFile)
    }

    /// Checks every option before anything is written and returns `asOf` as days since 1970-01-01.
    private static func validatedAsOfDay(_ options: GeneratorOptions) throws -> Int {
        func positive(_ value: Int, _ flag: String, _ what: String) throws {
            guard value >= 1 else {
                throw LoyaltyError.usage("generate: \(flag) must be at least 1 (\(what)); got \(value)")
            }
        }
        try positive(options.customers, "--customers", "number of loyalty members")
        try positive(options.products, "--products", "number of catalog products")
        try positive(options.orders, "--orders", "number of orders, not lines")
        try positive(options.historyDays, "--history-days", "days of order history ending at --as-of")
        guard options.historyDays <= 36_600 else {
            throw LoyaltyError.usage(
                "generate: --history-days must be at most 36600 (100 years); got \(options.historyDays)")
        }
        guard options.badRows >= 0 else {
            throw LoyaltyError.usage("generate: --bad-rows must be 0 or more; got \(options.badRows)")
        }
        guard (0...options.customers).contains(options.badAddresses) else {
            throw LoyaltyError.usage("generate: --bad-addresses must be 0 to --customers (\(options.customers)); got \(options.badAddresses)")
        }
        guard (0...options.customers).contains(options.suppressions) else {
            throw LoyaltyError.usage("generate: --suppressions must be 0 to --customers (\(options.customers)); got \(options.suppressions)")
        }
        guard let day = GeneratedDate.parse(options.asOf) else {
            throw LoyaltyError.usage(
                "generate: --as-of must be a real calendar date written YYYY-MM-DD, e.g. 2026-11-21; got '\(options.asOf)'")
        }
        guard GeneratedDate.components(day).year >= 1900 else {
            throw LoyaltyError.usage("generate: --as-of must be in 1900 or later; got '\(options.asOf)'")
        }
        return day
    }

    private static func makeDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LoyaltyError.io(path: directory, message: "cannot create output directory: \(error.localizedDescription)")
        }
    }
}

// MARK: - Files

private enum FileName {
    static let categories = "categories.csv"
    static let products = "products.csv"
    static let attributes = "product_attributes.csv"
    static let customers = "customers.csv"
    static let suppressions = "suppressions.csv"
    static let transactions = "transactions.csv"
}

/// Writes each file under a hidden temporary name and renames all of them into place at the end.
private final class StagingArea {
    private let directory: String
    private var staged: [(temporary: String, final: String)] = []
    private var committed = false

    init(directory: String) {
        self.directory = directory
    }

    /// Writes one file through `body` and returns its data rows (header excluded).
    func write(_ name: String, _ body: (CSVWriter) throws -> Void) throws -> Int {
        let final = directory + "/" + name
        let temporary = directory + "/." + name + ".partial"
        let output = try FileOutput(path: temporary)
        staged.append((temporary, final))
        let csv = CSVWriter(to: output, escapeFormulas: false)
        try body(csv)
        try output.close()
        return max(0, csv.rowsWritten - 1)
    }

    func commit() throws {
        for file in staged where rename(file.temporary, file.final) != 0 {
            throw LoyaltyError.io(path: file.final, message: "cannot rename into place: \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    /// Removes temporary files of a run that failed half way.
    func discardUnfinished() {
        guard !committed else { return }
        for file in staged { unlink(file.temporary) }
    }
}

// MARK: - Bad rows

/// The nine kinds of planted bad rows, in round-robin order; see `RetailDataGenerator` for the table.
private enum BadRowKind: Int, CaseIterable {
    /// transactions.csv: product_id that is not in products.csv -> "unknown product".
    case unknownProduct
    /// transactions.csv: quantity `two` -> "unparsable number".
    case wordQuantity
    /// transactions.csv: ordered_at `2026-13-45T10:00:00Z` -> "unparsable timestamp".
    case impossibleTimestamp
    /// transactions.csv: empty order_id -> "missing required field".
    case missingOrderId
    /// transactions.csv: unit_price `1.23456` -> "more than 4 decimals".
    case tooPrecisePrice
    /// customers.csv: an earlier customer's id again, with other values -> "duplicate customer_id".
    case duplicateCustomer
    /// customers.csv: birth_date `1990-02-30` -> "impossible date".
    case impossibleBirthDate
    /// products.csv: empty price -> "missing required field".
    case missingPrice
    /// categories.csv: parent_id of a category that does not exist -> "unknown parent".
    case unknownParent

    var file: String {
        switch self {
        case .unknownProduct, .wordQuantity, .impossibleTimestamp, .missingOrderId, .tooPrecisePrice:
            return FileName.transactions
        case .duplicateCustomer, .impossibleBirthDate: return FileName.customers
        case .missingPrice: return FileName.products
        case .unknownParent: return FileName.categories
        }
    }
}

/// One planted row: written right after good row (or order) number `after`, counted from 1.
private struct PlantedRow {
    let after: Int
    let kind: BadRowKind
    /// The how-many-th row of its kind (0-based), to make its ids unique.
    let ordinal: Int
}

/// Where the bad rows go: round robin over the kinds, each file's share spread evenly between its good
/// rows so that a reader that stops at the first error, or only checks the tail, is caught out.
private struct BadRowPlan {
    var categories: [PlantedRow] = []
    var products: [PlantedRow] = []
    var customers: [PlantedRow] = []
    var transactions: [PlantedRow] = []
    var countsByFile: [String: Int] = [:]
    /// Rows of each kind, indexed by `BadRowKind.rawValue`.
    var countsByKind: [Int]

    init(total: Int, categories: Int, products: Int, customers: Int, orders: Int) {
        let kinds = BadRowKind.allCases
        countsByKind = kinds.map { kind in max(0, (total - kind.rawValue + kinds.count - 1) / kinds.count) }
        var byFile: [String: [(kind: BadRowKind, ordinal: Int)]] = [:]
        for index in 0..<total {
            let kind = kinds[index % kinds.count]
            byFile[kind.file, default: []].append((kind, index / kinds.count))
        }
        func spread(_ file: String, goodRows: Int) -> [PlantedRow] {
            let rows = byFile[file] ?? []
            if !rows.isEmpty { countsByFile[file] = rows.count }
            return rows.enumerated().map { position, row in
                let after = (position + 1) * goodRows / (rows.count + 1)
                return PlantedRow(after: min(goodRows, max(1, after)), kind: row.kind, ordinal: row.ordinal)
            }
        }
        self.categories = spread(FileName.categories, goodRows: categories)
        self.products = spread(FileName.products, goodRows: products)
        self.customers = spread(FileName.customers, goodRows: customers)
        self.transactions = spread(FileName.transactions, goodRows: orders)
    }
}

/// Addresses typed wrong at a till, round robin over the kinds, on members spread evenly through
/// the file. The row stays good (ingest loads the member) and its address is reported.
private enum BadAddressKind: Int, CaseIterable {
    /// email without its `@`: "anna.12example.com" -> "has no '@'".
    case emailWithoutAt
    /// a comma for the domain's last dot: "anna.12@example,com" -> "has a domain part 'example,com' that is not …".
    case emailComma
    /// a phone number cut short: "0151 12" -> "… digits with the country code, E.164 needs 8 to 15".
    case phoneTooShort
    /// a note typed into the phone field: "0151 2345678 ab 18 Uhr" -> "has 'a', which is not a digit or a separator".
    case phoneWithText

    /// Member index (0-based) -> the kind planted there.
    static func plan(_ count: Int, members: Int) -> [Int: BadAddressKind] {
        var plan: [Int: BadAddressKind] = [:]
        for position in 0..<count {
            plan[(position + 1) * members / (count + 1)] = allCases[position % allCases.count]
        }
        return plan
    }

    func spoil(_ person: inout People.Person, number: Int) {
        let email = person.email ?? "member.\(number)@example.com"
        switch self {
        case .emailWithoutAt: person.email = email.replacingOccurrences(of: "@", with: "")
        case .emailComma:
            let dot = email.lastIndex(of: ".") ?? email.endIndex
            person.email = email.replacingCharacters(in: dot..<email.index(dot, offsetBy: dot < email.endIndex ? 1 : 0), with: ",")
        case .phoneTooShort: person.phone = "0151 \(10 + number % 90)"
        case .phoneWithText: person.phone = "0151 \(2_000_000 + number % 7_000_000) ab 18 Uhr"
        }
    }
}

/// suppressions.csv: members to keep out of sends, round robin over three kinds of row: a
/// complaint (by customer_id, every channel), a hard bounce (by email, the email channel) and a
/// legal hold on SMS (by phone, until a day after as_of). Each is the first member from an even
/// spread who buys and can be reached on the kind's channel, so the suppression shows in the offers.
private enum SuppressionFile {
    static func write(_ count: Int, members: [People.Person], archetypes: [Archetype], idWidth: Int, asOfDay: Int,
                      to csv: CSVWriter) throws {
        try csv.row(["customer_id", "email", "phone", "channel", "reason", "since", "until"])
        var taken = Set<Int>()
        for position in 0..<count {
            let kind = position % 3
            let start = (position + 1) * members.count / (count + 1)
            let candidates = Array(start..<members.count) + Array(0..<start)
            let consent = kind == 2 ? 1 : 0
            // A member whose address is valid on its own (an international number): the row must
            // identify them whatever the pipeline's phone settings.
            func reachable(_ index: Int) -> Bool {
                let member = members[index]
                guard archetypes[index] != .neverBuys, member.consents[consent].map(People.isYes) == true else { return false }
                if kind == 2 {
                    guard let phone = member.phone, phone.hasPrefix("+") else { return false }
                    if case .success = PhoneNumber.normalized(phone, rules: PhoneRules()) { return true }
                    return false
                }
                if kind == 1 {
                    guard let email = member.email else { return false }
                    if case .success = EmailAddress.normalized(email) { return true }
                    return false
                }
                return true
            }
            guard let index = candidates.first(where: { !taken.contains($0) && reachable($0) })
                ?? candidates.first(where: { !taken.contains($0) }) else { break }
            taken.insert(index)
            let member = members[index]
            let since = GeneratedDate.text(asOfDay - 30 - position)
            switch kind {
            case 0:
                try csv.row([Text.identifier(UInt8(ascii: "C"), index + 1, width: idWidth), nil, nil, nil, "complaint", since, nil])
            case 1:
                try csv.row([nil, member.email ?? "", nil, "email", "hard bounce", since, nil])
            default:
                try csv.row([nil, nil, member.phone ?? "", "sms", "legal hold", since, GeneratedDate.text(asOfDay + 1)])
            }
        }
    }
}

// MARK: - Small helpers

extension SplitMix64 {
    /// A uniform integer in `0..<bound` (bound ≥ 1); the modulo bias is below 2^-40 for our bounds.
    fileprivate mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    fileprivate mutating func chance(_ probability: Double) -> Bool {
        nextUnit() < probability
    }

    /// Picks from `values` by position.
    fileprivate mutating func pick<T>(_ values: [T]) -> T {
        values[below(values.count)]
    }
}

/// A 64-bit mixer (SplitMix64's finaliser) for stateless decisions such as "is product p on promotion
/// in week w": the answer must not depend on how many draws happened before.
private func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Cumulative weights for drawing an index with probability proportional to its weight.
///
/// The generator uses only `+ - * /`, `squareRoot()` and comparisons on doubles (no `log`, `pow`,
/// `exp`, `cos`): IEEE 754 rounds those exactly, so the files do not depend on the platform's libm.
private struct WeightedIndex {
    private(set) var cumulative: [Double] = []
    var total: Double { cumulative.last ?? 0 }
    var isEmpty: Bool { cumulative.isEmpty }

    init<S: Sequence>(_ weights: S) where S.Element == Double {
        var sum = 0.0
        for weight in weights {
            sum += max(0, weight)
            cumulative.append(sum)
        }
    }

    /// The first index whose cumulative weight exceeds `unit * total`.
    func index(_ unit: Double) -> Int {
        let target = unit * total
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Fast formatting of ids, money and timestamps straight into string storage: the transactions file
/// has millions of cells and `String(format:)` or a `DateFormatter` per row would dominate the run.
private enum Text {
    /// `prefix` + `number` zero-padded to `width` digits, e.g. `O0000042`.
    static func identifier(_ prefix: UInt8, _ number: Int, width: Int) -> String {
        let length = 1 + max(width, digitCount(number))
        return String(unsafeUninitializedCapacity: length) { buffer in
            buffer[0] = prefix
            var rest = number
            var index = length - 1
            while index >= 1 {
                buffer[index] = UInt8(48 + rest % 10)
                rest /= 10
                index -= 1
            }
            return length
        }
    }

    /// Cents as money with two decimals: 349 -> `3.49`, -5 -> `-0.05`.
    static func money(_ cents: Int) -> String {
        let negative = cents < 0
        let magnitude = negative ? 0 - cents : cents
        let units = magnitude / 100
        let length = (negative ? 1 : 0) + digitCount(units) + 3
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = length - 1
            let fraction = magnitude % 100
            buffer[index] = UInt8(48 + fraction % 10)
            buffer[index - 1] = UInt8(48 + fraction / 10)
            buffer[index - 2] = UInt8(ascii: ".")
            index -= 3
            var rest = units
            repeat {
                buffer[index] = UInt8(48 + rest % 10)
                rest /= 10
                index -= 1
            } while rest > 0
            if negative { buffer[0] = UInt8(ascii: "-") }
            return length
        }
    }

    static func digitCount(_ value: Int) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// Two-digit, zero-padded: 3 -> `03`.
    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

// MARK: - Civil dates

/// The generator's view of `CivilDate`: plain `Int` day numbers and in-place formatting, since it
/// writes millions of dates.
private enum GeneratedDate {
    static func components(_ days: Int) -> (year: Int, month: Int, day: Int) { CivilDate.civil(Int64(days)) }


    /// Strict `YYYY-MM-DD`; nil for anything else, including 2026-02-30.
    static func parse(_ text: String) -> Int? { CivilDate.parse(text).map { Int($0) } }

    /// Writes `YYYY-MM-DD` into `buffer` at `offset` (10 bytes).
    static func write(_ days: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let (year, month, day) = components(days)
        var rest = year
        for index in stride(from: offset + 3, through: offset, by: -1) {
            buffer[index] = UInt8(48 + rest % 10)
            rest /= 10
        }
        buffer[offset + 4] = UInt8(ascii: "-")
        buffer[offset + 5] = UInt8(48 + month / 10)
        buffer[offset + 6] = UInt8(48 + month % 10)
        buffer[offset + 7] = UInt8(ascii: "-")
        buffer[offset + 8] = UInt8(48 + day / 10)
        buffer[offset + 9] = UInt8(48 + day % 10)
    }

    static func text(_ days: Int) -> String { CivilDate.format(Int64(days)) }
}

// MARK: - Demand calendar

/// The shop's demand over the history: how busy each day and each hour is.
///
/// Customers' orders are spread evenly in *demand time* ("warped" time, where a busy day is longer
/// than a quiet one) and mapped back to wall-clock time. That one trick gives every customer the
/// chain's seasonality (December rush, Black Friday, Christmas closures), its weekly rhythm (busy
/// Saturdays, stores closed on Sunday) and a gentle growth trend, without any per-customer logic.
/// Weights are normalised to a mean of 1, so one unit of demand time is one average day.
private struct DemandCalendar {
    /// Days since 1970-01-01 of history day 0; day `days - 1` is `asOf`.
    let firstDay: Int
    let days: Int
    let weights: [Double]
    /// `cumulative[d]` is the demand time at which day `d` starts; `cumulative[days]` is the total.
    let cumulative: [Double]
    let months: [UInt8]
    let weekdays: [UInt8]
    let seasons: [Season]
    /// `YYYY-MM-DD` of every history day, 10 bytes each, for building timestamps without formatting.
    let dateBytes: [UInt8]
    private let hours: WeightedIndex
    private let hourWeights: [Double]

    init(asOfDay: Int, historyDays: Int) {
        firstDay = asOfDay - historyDays + 1
        days = historyDays
        let monthFactor: [Double] = [0.86, 0.84, 0.95, 0.98, 1.0, 0.96, 0.92, 0.93, 1.0, 1.02, 1.1, 1.45]
        let weekdayFactor: [Double] = [0.97, 0.93, 0.97, 1.04, 1.2, 1.35, 0.62]
        var weights: [Double] = []
        var months: [UInt8] = []
        var weekdays: [UInt8] = []
        var seasons: [Season] = []
        weights.reserveCapacity(historyDays)
        for index in 0..<historyDays {
            let date = GeneratedDate.components(firstDay + index)
            let weekday = CivilDate.weekdayIndex(Int64(firstDay + index))
            let trend = 0.85 + 0.3 * Double(index) / Double(max(1, historyDays - 1))
            var weight = monthFactor[date.month - 1] * weekdayFactor[weekday] * trend
            if date.month == 12 {
                switch date.day {
                case 24: weight *= 0.6
                case 25, 26: weight *= 0.15
                case 31: weight *= 0.7
                case ...23: weight *= 1.0 + Double(date.day) / 40.0
                default: break
                }
            }
            // Black Friday: the Friday after the fourth Thursday of November.
            if date.month == 11, weekday == 4, (23...29).contains(date.day) { weight *= 2.4 }
            weights.append(weight)
            months.append(UInt8(date.month))
            weekdays.append(UInt8(weekday))
            seasons.append(Season.of(month: date.month))
        }
        let mean = weights.reduce(0, +) / Double(historyDays)
        weights = weights.map { $0 / mean }
        var cumulative: [Double] = [0]
        cumulative.reserveCapacity(historyDays + 1)
        for weight in weights { cumulative.append((cumulative.last ?? 0) + weight) }
        self.weights = weights
        self.cumulative = cumulative
        self.months = months
        self.weekdays = weekdays
        self.seasons = seasons
        let first = firstDay
        dateBytes = [UInt8](unsafeUninitializedCapacity: historyDays * 10) { buffer, count in
            for index in 0..<historyDays { GeneratedDate.write(first + index, into: buffer, at: index * 10) }
            count = historyDays * 10
        }
        // Orders per hour of the day: shops open 8-21, online orders into the night.
        let hourProfile: [Double] = [
            0.25, 0.12, 0.06, 0.05, 0.05, 0.1, 0.3, 0.8, 1.8, 2.9, 3.7, 4.2,
            4.6, 4.4, 4.2, 4.5, 5.2, 6.0, 6.0, 5.0, 3.7, 2.6, 1.5, 0.7,
        ]
        hours = WeightedIndex(hourProfile)
        let hourTotal = hourProfile.reduce(0, +)
        hourWeights = hourProfile.map { $0 / hourTotal }
    }

    var totalDemand: Double { cumulative[days] }

    /// Demand time at which `day` starts.
    func start(ofDay day: Int) -> Double { cumulative[max(0, min(days, day))] }

    /// The wall-clock day and second of day for a point of demand time.
    func locate(_ demand: Double) -> (day: Int, second: Int) {
        var low = 0
        var high = days - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if cumulative[middle] <= demand { low = middle } else { high = middle - 1 }
        }
        let fraction = (demand - cumulative[low]) / weights[low]
        return (low, secondOfDay(min(max(fraction, 0), 0.999_999_999)))
    }

    /// Maps a uniform `unit` to a second of the day following the hourly profile.
    func secondOfDay(_ unit: Double) -> Int {
        let hour = hours.index(unit)
        let hourStart = hour == 0 ? 0 : hours.cumulative[hour - 1] / hours.total
        let within = (unit - hourStart) / hourWeights[hour]
        return hour * 3600 + min(3599, max(0, Int(within * 3600)))
    }
}

// MARK: - Taxonomy

/// Meteorological seasons (northern hemisphere), as written in product_attributes.csv.
private enum Season: UInt8 {
    case none = 0, winter, spring, summer, autumn

    var label: String {
        switch self {
        case .none: return ""
        case .winter: return "winter"
        case .spring: return "spring"
        case .summer: return "summer"
        case .autumn: return "autumn"
        }
    }

    static func of(month: Int) -> Season {
        switch month {
        case 12, 1, 2: return .winter
        case 3...5: return .spring
        case 6...8: return .summer
        default: return .autumn
        }
    }
}

/// A kind of product ("Spaghetti") and how its instances look and behave.
private struct ItemSpec {
    let noun: String
    /// Sizes or flavours; some hold a comma or a double quote on purpose, to exercise CSV quoting.
    let variants: [String]
    let lowPrice: Double
    let highPrice: Double
    var season: Season = .none
    /// Days between re-purchases for consumables; 0 = not a consumable.
    var replenishDays: Int = 0
    var mayBeOrganic = false
    var mayBeEco = false
}

private func item(
    _ noun: String, _ lowPrice: Double, _ highPrice: Double, _ variants: [String], season: Season = .none,
    replenish: Int = 0, organic: Bool = false, eco: Bool = false
) -> ItemSpec {
    ItemSpec(
        noun: noun, variants: variants, lowPrice: lowPrice, highPrice: highPrice, season: season,
        replenishDays: replenish, mayBeOrganic: organic, mayBeEco: eco)
}

/// A category: a leaf holds items, an inner node holds children.
private struct CategorySpec {
    let name: String
    /// A leaf's share of the assortment.
    var share: Double = 1
    var items: [ItemSpec] = []
    var children: [CategorySpec] = []
}

private func leaf(_ name: String, _ share: Double, _ items: [ItemSpec]) -> CategorySpec {
    CategorySpec(name: name, share: share, items: items)
}

private func node(_ name: String, _ children: [CategorySpec]) -> CategorySpec {
    CategorySpec(name: name, children: children)
}

private struct RootSpec {
    let name: String
    let brands: [String]
    let premiumBrands: [String]
    let children: [CategorySpec]
}

/// The chain's assortment. Items named in `Taxonomy.pairings` come first in their leaf, so even a small
/// catalog holds both halves of the planted co-purchase groups.
private enum Taxonomy {
    static let roots: [RootSpec] = [food, home, beauty, baby, pets, electronics]

    /// Items that are bought together far more often than chance: the co-purchase stage should find these.
    static let pairings: [[String]] = [
        ["Spaghetti", "Tomato Sauce"], ["Penne", "Arrabbiata Sauce"], ["Fusilli", "Pesto Genovese"],
        ["Tortilla Chips", "Salsa Dip"], ["Charcoal", "Grill Sausages", "BBQ Sauce"], ["Muesli", "Honey"],
        ["Coffee Machine", "Coffee Capsules"], ["Frying Pan", "Spatula"], ["Dishwasher Tabs", "Dish Soap"],
        ["Flower Seeds", "Potting Soil"], ["Advent Calendar", "Fairy Lights"], ["Shampoo", "Conditioner"],
        ["Toothbrush", "Toothpaste"], ["Sunscreen", "Lip Balm"], ["Diapers", "Baby Wipes"],
        ["Fruit Puree", "Baby Porridge"], ["Dog Food", "Dog Treats"], ["Cat Food", "Cat Litter"],
        ["Inkjet Printer", "Ink Cartridge", "Photo Paper"], ["Wireless Mouse", "USB Keyboard"],
        ["Smartphone", "Phone Case", "Screen Protector"], ["Headphones", "Batteries AA"],
    ]

    static let food = RootSpec(
        name: "Food", brands: ["Casa Verde", "Nordhof", "Sonnenfeld", "Marktliebe", "Alpenmühle"],
        premiumBrands: ["Maison Doré", "Terra Nobile"],
        children: [
            leaf("Pasta & Rice", 1.2, [
                item("Spaghetti", 0.89, 2.49, ["500g", "No. 5, 500g", "Whole Wheat 500g", "1kg"], organic: true),
                item("Penne", 0.89, 2.29, ["Rigate 500g", "500g", "Gluten-Free 400g"], organic: true),
                item("Fusilli", 0.89, 2.29, ["500g", "Tricolore 500g"]),
                item("Basmati Rice", 1.49, 3.99, ["1kg", "Boil-in-Bag, 4x125g"]),
                item("Risotto Rice", 1.99, 3.99, ["Arborio 1kg", "Carnaroli 500g"]),
                item("Lasagne Sheets", 1.29, 2.49, ["250g", "Egg 500g"]),
            ]),
            leaf("Sauces & Condiments", 1.1, [
                item("Tomato Sauce", 1.29, 3.49, ["Basil, 400g", "Classic 500g", "\"Nonna's\" Recipe 400g"], organic: true),
                item("Arrabbiata Sauce", 1.49, 3.49, ["400g", "Extra Hot 400g"]),
                item("Pesto Genovese", 1.99, 4.49, ["190g", "Vegan 190g"], organic: true),
                item("Salsa Dip", 1.49, 2.99, ["Mild 300g", "Hot, Chunky 300g"]),
                item("BBQ Sauce", 1.79, 3.99, ["Smoky 500ml", "Honey 500ml"], season: .summer),
                item("Mayonnaise", 1.29, 2.99, ["500ml", "Light 250ml"]),
            ]),
            leaf("Breakfast", 0.9, [
                item("Muesli", 2.49, 4.99, ["Crunchy 750g", "Fruit & Nut 500g", "No Added Sugar 500g"], organic: true),
                item("Honey", 2.99, 7.99, ["Wildflower 500g", "Creamy 250g"], organic: true),
                item("Oat Flakes", 0.79, 1.99, ["500g", "Fine 1kg"], replenish: 30, organic: true),
                item("Strawberry Jam", 1.49, 3.49, ["450g", "Extra, 340g"]),
                item("Cornflakes", 1.49, 3.49, ["375g", "750g"]),
            ]),
            leaf("Snacks & Sweets", 1.1, [
                item("Tortilla Chips", 1.29, 2.49, ["Salted 200g", "Chili 200g"]),
                item("Salsa Dip", 1.49, 2.99, ["Mild 300g", "Hot, Chunky 300g"]),
                item("Dark Chocolate", 0.99, 3.49, ["70%, Sea Salt 100g", "85% Cocoa 100g"], organic: true),
                item("Gingerbread", 1.99, 4.99, ["Nürnberger 200g", "Chocolate Coated 300g"], season: .winter),
                item("Ice Cream", 2.49, 5.99, ["Vanilla 1l", "Stracciatella 900ml", "Mango Sorbet 500ml"], season: .summer),
                item("Salted Peanuts", 1.49, 2.99, ["200g", "Honey Roasted 150g"]),
                item("Chocolate Santa", 1.49, 4.99, ["100g", "Milk Chocolate 200g"], season: .winter),
            ]),
            node("Drinks", [
                leaf("Coffee & Tea", 1.0, [
                    item("Coffee Capsules", 2.99, 5.99, ["Lungo 10 pcs", "Espresso, Intenso 10 pcs"], replenish: 30),
                    item("Ground Coffee", 3.99, 8.99, ["Classic 500g", "Decaf 250g"], replenish: 30, organic: true),
                    item("Espresso Beans", 7.99, 15.99, ["1kg", "Crema 1kg"], replenish: 30, organic: true),
                    item("Green Tea", 1.99, 4.49, ["20 Bags", "Jasmine 20 Bags"], replenish: 30, organic: true),
                    item("Pumpkin Spice Latte", 2.99, 4.99, ["Instant 8 Sachets"], season: .autumn),
                ]),
                leaf("Water & Juices", 0.9, [
                    item("Sparkling Water", 0.49, 1.29, ["1.5l", "6x1l"], replenish: 30),
                    item("Orange Juice", 1.49, 3.49, ["1l", "Not From Concentrate, 1l"]),
                    item("Apple Spritzer", 0.79, 1.49, ["1l", "6x0.5l"]),
                    item("Iced Tea", 0.99, 1.99, ["Peach 1.5l", "Lemon 1.5l"], season: .summer),
                ]),
            ]),
            leaf("Barbecue", 0.6, [
                item("Charcoal", 3.99, 9.99, ["Briquettes 3kg", "Lump 5kg"], season: .summer),
                item("Grill Sausages", 2.49, 5.99, ["Thuringian, 6 pcs", "Cheese 400g"], season: .summer),
                item("BBQ Sauce", 1.79, 3.99, ["Smoky 500ml", "Honey 500ml"], season: .summer),
                item("Corn on the Cob", 1.99, 3.49, ["2 pcs", "4 pcs"], season: .summer),
                item("Marinated Steak", 4.99, 12.99, ["Pepper 400g", "Herb 350g"], season: .summer),
            ]),
        ])

    static let home = RootSpec(
        name: "Home", brands: ["Hausfreund", "CleanWave", "KüchenKraft", "Gartenglück", "Lumina"],
        premiumBrands: ["Atelier Nord", "Fjordline"],
        children: [
            leaf("Cleaning", 1.0, [
                item("Dishwasher Tabs", 3.99, 9.99, ["All-in-1, 40 pcs", "Eco 30 pcs"], replenish: 30, eco: true),
                item("Dish Soap", 0.99, 2.99, ["Lemon 500ml", "Sensitive 450ml"], replenish: 30, eco: true),
                item("Laundry Detergent", 3.99, 12.99, ["Color, 20 Loads", "Sensitive 40 Loads"], replenish: 60, eco: true),
                item("All-Purpose Cleaner", 1.29, 3.49, ["750ml", "Vinegar 1l"], eco: true),
                item("Sponges", 0.99, 2.49, ["5 pcs", "Scrub 3 pcs"]),
            ]),
            leaf("Kitchen", 0.7, [
                item("Frying Pan", 14.99, 59.99, ["24cm", "28cm", "11\" Cast Iron"]),
                item("Spatula", 3.99, 9.99, ["Silicone", "Wooden"], eco: true),
                item("Coffee Machine", 49.99, 299.99, ["Capsule", "Bean-to-Cup"]),
                item("Chef's Knife", 12.99, 79.99, ["8\"", "Santoku 7\""]),
                item("Cutting Board", 6.99, 24.99, ["Bamboo", "Oak, Large"], eco: true),
            ]),
            leaf("Garden", 0.6, [
                item("Flower Seeds", 1.49, 3.99, ["Sunflower", "Wildflower Mix"], season: .spring, organic: true),
                item("Potting Soil", 2.99, 7.99, ["20l", "Peat-Free 40l"], season: .spring, eco: true),
                item("Garden Hose", 14.99, 39.99, ["20m", "Expandable, 30m"], season: .summer),
                item("Plant Food", 2.99, 5.99, ["Liquid 1l", "Tomato 500ml"], season: .spring),
                item("Leaf Rake", 7.99, 19.99, ["Steel", "Telescopic"], season: .autumn),
            ]),
            leaf("Seasonal Decor", 0.5, [
                item("Advent Calendar", 4.99, 24.99, ["Chocolate", "Tea, 24 Doors"], season: .winter),
                item("Fairy Lights", 7.99, 29.99, ["100 LED", "Outdoor, 200 LED"], season: .winter),
                item("Tree Ornaments", 4.99, 19.99, ["Glass, 12 pcs", "Wooden 24 pcs"], season: .winter),
                item("Pumpkin Lantern", 3.99, 12.99, ["LED", "Ceramic"], season: .autumn),
                item("Easter Egg Dye", 1.99, 3.99, ["6 Colors"], season: .spring),
            ]),
        ])

    static let beauty = RootSpec(
        name: "Beauty", brands: ["Blütenzart", "Purelle", "Aqua Vita", "Dentaris", "Lumea"],
        premiumBrands: ["Maison Iris", "Clé Blanche"],
        children: [
            leaf("Hair Care", 0.9, [
                item("Shampoo", 1.99, 8.99, ["Repair 250ml", "Anti-Dandruff 300ml", "Volume 250ml"], replenish: 30, eco: true),
                item("Conditioner", 1.99, 8.99, ["Repair 200ml", "Smooth 250ml"], replenish: 30),
                item("Hair Mask", 3.99, 12.99, ["Argan 200ml"], organic: true),
                item("Hair Dryer", 19.99, 89.99, ["2000W", "Ionic, Travel"]),
            ]),
            leaf("Skin Care", 0.9, [
                item("Sunscreen", 4.99, 14.99, ["SPF 50, 200ml", "SPF 30 Kids 150ml"], season: .summer),
                item("Lip Balm", 0.99, 3.99, ["Classic", "Honey, 2 pcs"], organic: true),
                item("Hand Cream", 1.99, 6.99, ["Intensive 75ml", "Shea 100ml"], season: .winter, organic: true),
                item("Face Cream", 4.99, 24.99, ["Day SPF 15 50ml", "Night 50ml"], organic: true),
            ]),
            leaf("Oral Care", 0.8, [
                item("Toothbrush", 1.49, 4.99, ["Medium", "Soft, 2 pcs"], eco: true),
                item("Toothpaste", 0.99, 3.99, ["Whitening 75ml", "Sensitive 75ml"], replenish: 30),
                item("Dental Floss", 1.49, 2.99, ["50m", "Mint Waxed 50m"], replenish: 60),
                item("Electric Toothbrush", 29.99, 129.99, ["Sonic", "Rotating, 2 Heads"]),
                item("Mouthwash", 2.49, 5.99, ["500ml", "Alcohol-Free 500ml"], replenish: 30),
            ]),
        ])

    static let baby = RootSpec(
        name: "Baby", brands: ["Kleiner Stern", "Bärchen", "TinyToes"], premiumBrands: ["Petit Prince"],
        children: [
            leaf("Diapers & Wipes", 1.0, [
                item("Diapers", 7.99, 19.99, ["Size 3, 52 pcs", "Size 4, 46 pcs", "Size 5, 40 pcs"], replenish: 30, eco: true),
                item("Baby Wipes", 1.49, 4.99, ["Sensitive 64 pcs", "Water 4x60 pcs"], replenish: 30, eco: true),
            ]),
            leaf("Baby Food", 0.8, [
                item("Fruit Puree", 0.79, 1.99, ["Apple-Banana 190g", "Pear 125g"], organic: true),
                item("Baby Porridge", 2.49, 4.99, ["Oat 250g", "Millet 250g"], replenish: 30, organic: true),
                item("Infant Formula", 9.99, 24.99, ["Stage 1, 800g", "Stage 2 800g"], replenish: 30),
            ]),
            leaf("Toys", 0.6, [
                item("Plush Bear", 9.99, 29.99, ["30cm", "\"Bruno\" 45cm"]),
                item("Rattle", 4.99, 12.99, ["Wooden", "Star"], eco: true),
                item("Stacking Cups", 5.99, 14.99, ["8 pcs"]),
                item("Bath Duck", 2.99, 7.99, ["3 pcs", "Classic"]),
            ]),
        ])

    static let pets = RootSpec(
        name: "Pets", brands: ["Pfotenglück", "Happy Paw", "Miauz"], premiumBrands: ["Royal Tail"],
        children: [
            leaf("Dog", 0.9, [
                item("Dog Food", 2.49, 39.99, ["Adult, Chicken 4kg", "Puppy 2kg", "Wet, Beef 400g"], replenish: 30),
                item("Dog Treats", 1.99, 5.99, ["Chews 200g", "Training 150g"]),
                item("Chew Toy", 4.99, 14.99, ["Rope", "Rubber Bone"]),
                item("Dog Leash", 9.99, 29.99, ["Retractable, 5m", "Leather 1.2m"]),
            ]),
            leaf("Cat", 0.9, [
                item("Cat Food", 0.59, 29.99, ["Wet, Salmon 85g", "Dry Adult 2kg", "Senior 1.5kg"], replenish: 30),
                item("Cat Litter", 3.99, 14.99, ["Clumping 10l", "Silica 5l"], replenish: 30, eco: true),
                item("Scratching Post", 14.99, 59.99, ["60cm", "Tower, 120cm"]),
                item("Cat Toy Mouse", 1.99, 4.99, ["Catnip, 3 pcs"]),
            ]),
        ])

    static let electronics = RootSpec(
        name: "Electronics", brands: ["Voltek", "Nordlicht", "Pixelon", "SoundBay"],
        premiumBrands: ["Aurion", "Zenith Pro"],
        children: [
            node("Computing", [
                leaf("Printers & Ink", 0.6, [
                    item("Inkjet Printer", 59.99, 199.99, ["All-in-One", "Photo, Wi-Fi"]),
                    item("Ink Cartridge", 14.99, 39.99, ["Black XL", "Color, 3-Pack"], replenish: 60),
                    item("Photo Paper", 7.99, 19.99, ["10x15, 50 Sheets", "A4 Glossy 20 Sheets"]),
                    item("Laser Printer", 99.99, 349.99, ["Mono", "Color, Duplex"]),
                    item("Toner", 39.99, 89.99, ["Black", "High Yield"], replenish: 90),
                ]),
                leaf("Computer Accessories", 0.6, [
                    item("Wireless Mouse", 9.99, 49.99, ["Ergonomic", "Silent, Compact"]),
                    item("USB Keyboard", 14.99, 79.99, ["Mechanical", "Slim, QWERTZ"]),
                    item("USB-C Hub", 19.99, 59.99, ["7-in-1", "4-Port"]),
                    item("Laptop Stand", 19.99, 49.99, ["Aluminium"]),
                ]),
            ]),
            leaf("Phones", 0.7, [
                item("Smartphone", 149.99, 899.99, ["6.1\" 128GB", "6.7\" 256GB", "5.8\" 64GB"]),
                item("Phone Case", 9.99, 29.99, ["Clear", "Leather, Wallet"]),
                item("Screen Protector", 7.99, 19.99, ["Tempered Glass, 2 pcs"]),
                item("USB-C Cable", 4.99, 19.99, ["1m", "2m, Braided"]),
                item("Fast Charger", 14.99, 39.99, ["20W", "65W GaN"]),
            ]),
            leaf("Audio", 0.6, [
                item("Headphones", 29.99, 299.99, ["Over-Ear, Noise Cancelling", "On-Ear"]),
                item("Batteries AA", 2.99, 9.99, ["4 pcs", "Rechargeable, 4 pcs"], replenish: 60, eco: true),
                item("Bluetooth Speaker", 24.99, 149.99, ["Waterproof", "Mini"]),
                item("Earbuds", 19.99, 199.99, ["True Wireless", "Sport"]),
            ]),
        ])
}

// MARK: - Catalog

private struct CategoryRow {
    let id: String
    let parentId: String?
    let name: String
}

/// A leaf category with its products and a popularity sampler over them.
private struct Leaf {
    let categoryId: String
    let rootIndex: Int
    let spec: CategorySpec
    var products: [Int32] = []
    var sampler = WeightedIndex([Double]())
}

/// The generated assortment, kept as parallel arrays because the order loop reads a few fields of
/// millions of products picks and should not drag whole records through the cache.
private struct Catalog {
    private(set) var categories: [CategoryRow] = []
    private(set) var rootCount = 0
    private(set) var leaves: [Leaf] = []

    private(set) var ids: [String] = []
    private(set) var names: [String] = []
    private(set) var brands: [String] = []
    private(set) var leafOf: [Int32] = []
    private(set) var priceCents: [Int] = []
    private(set) var priceText: [String] = []
    /// -1 when the cost is unknown (empty cell).
    private(set) var costCents: [Int] = []
    /// History day index of the launch (negative: before the history starts).
    private(set) var launchDay: [Int] = []
    /// First history day on which the product can no longer be bought (discontinued items).
    private(set) var sellUntil: [Int] = []
    private(set) var active: [Bool] = []
    private(set) var season: [Season] = []
    private(set) var replenishDays: [Int] = []
    private(set) var premium: [Bool] = []
    private(set) var eco: [Bool] = []
    private(set) var organic: [Bool] = []
    /// Index into `groups`, or -1.
    private(set) var group: [Int32] = []
    private(set) var groups: [[Int32]] = []
    /// Popularity rank, 0 = bestseller.
    private var ranks: [Int] = []
    private(set) var popularity = WeightedIndex([Double]())
    /// A product that is always on sale, for the (rare) order whose every draw was unavailable.
    private(set) var fallback = 0
    let idWidth: Int

    var productCount: Int { ids.count }

    init(productCount: Int, days: Int, random: inout SplitMix64) {
        idWidth = max(5, Text.digitCount(productCount))
        buildTree()
        buildProducts(count: productCount, days: days, random: &random)
        rankPopularity(random: &random)
        plantGroups(random: &random)
        for index in leaves.indices {
            leaves[index].sampler = WeightedIndex(leaves[index].products.map { weight(of: Int($0)) })
        }
    }

    /// Pre-order walk of the taxonomy: every parent is written before its children.
    private mutating func buildTree() {
        var rows: [CategoryRow] = []
        var leaves: [Leaf] = []
        func visit(_ specs: [CategorySpec], parent: String, root: Int) {
            for (index, spec) in specs.enumerated() {
                let id = parent + "-" + Text.twoDigits(index + 1)
                rows.append(CategoryRow(id: id, parentId: parent, name: spec.name))
                if !spec.items.isEmpty { leaves.append(Leaf(categoryId: id, rootIndex: root, spec: spec)) }
                visit(spec.children, parent: id, root: root)
            }
        }
        for (index, root) in Taxonomy.roots.enumerated() {
            let id = "CAT" + Text.twoDigits(index + 1)
            rows.append(CategoryRow(id: id, parentId: nil, name: root.name))
            visit(root.children, parent: id, root: index)
        }
        categories = rows
        rootCount = Taxonomy.roots.count
        self.leaves = leaves
    }

    private mutating func buildProducts(count: Int, days: Int, random: inout SplitMix64) {
        let shares = WeightedIndex(leaves.map { $0.spec.share })
        var itemUses = leaves.map { [Int](repeating: 0, count: $0.spec.items.count) }
        for index in 0..<count {
            // One product per leaf first, so every leaf is stocked when the catalog is big enough.
            let leafIndex = index < leaves.count ? index : shares.index(random.nextUnit())
            let spec = leaves[leafIndex].spec
            let itemIndex = leaves[leafIndex].products.count % spec.items.count
            let use = itemUses[leafIndex][itemIndex]
            itemUses[leafIndex][itemIndex] += 1
            let item = spec.items[itemIndex]
            let root = Taxonomy.roots[leaves[leafIndex].rootIndex]

            let isPremium = random.chance(0.12)
            let brand = isPremium ? random.pick(root.premiumBrands) : random.pick(root.brands)
            let variant = item.variants[use % item.variants.count]
            var base = item.lowPrice + (item.highPrice - item.lowPrice) * random.nextUnit() * random.nextUnit()
            if isPremium { base *= 1.6 }
            let price = Catalog.charmPrice(Int(base * 100))
            let costShare = 0.55 + 0.25 * random.nextUnit()
            let cost = random.chance(0.05) ? -1 : max(1, Int(Double(price) * costShare))
            let launchRoll = random.nextUnit()
            let launchSpread = random.nextUnit()
            let launch: Int
            if launchRoll < 0.78 {
                launch = -30 - Int(launchSpread * 1500)
            } else if launchRoll < 0.95 {
                launch = Int(launchSpread * Double(days))
            } else {
                launch = days - 1 - Int(launchSpread * 59)  // within the last 60 days: "new"
            }
            let isActive = !random.chance(0.03)
            let discontinued = days - 60 - Int(random.nextUnit() * 240)
            let isEco = item.mayBeEco && random.chance(0.4)
            let isOrganic = item.mayBeOrganic && random.chance(0.35)

            leaves[leafIndex].products.append(Int32(index))
            ids.append(Text.identifier(UInt8(ascii: "P"), index + 1, width: idWidth))
            names.append(brand + " " + item.noun + " " + variant)
            brands.append(brand)
            leafOf.append(Int32(leafIndex))
            priceCents.append(price)
            priceText.append(Text.money(price))
            costCents.append(cost)
            launchDay.append(launch)
            sellUntil.append(isActive ? Int.max : discontinued)
            active.append(isActive)
            season.append(item.season)
            replenishDays.append(item.replenishDays)
            premium.append(isPremium)
            eco.append(isEco)
            organic.append(isOrganic)
            group.append(-1)
        }
    }

    /// Shelf prices end in 9: 3.41 -> 3.49, 12.37 -> 12.99, 137.20 -> 139.99.
    private static func charmPrice(_ cents: Int) -> Int {
        if cents < 1000 { return max(9, cents / 10 * 10 + 9) }
        if cents < 10000 { return cents / 100 * 100 + 99 }
        return cents / 1000 * 1000 + 999
    }

    /// Zipf-like popularity: a random rank per product (cheap items tend to rank higher), weight
    /// 1/(rank + 3). Integer ranks keep the weights exact and platform independent.
    private mutating func rankPopularity(random: inout SplitMix64) {
        let keys = priceCents.map { cents in random.nextUnit() * (3 + (Double(cents) / 100).squareRoot()) }
        let order = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        ranks = [Int](repeating: 0, count: keys.count)
        for (rank, product) in order.enumerated() { ranks[product] = rank }
        popularity = WeightedIndex(ranks.map { 1 / (Double($0) + 3) })
        // The best-selling all-year product stays on sale over the whole history.
        let candidate = order.first { season[$0] == .none } ?? order.first ?? 0
        fallback = candidate
        launchDay[candidate] = min(launchDay[candidate], -30)
        active[candidate] = true
        sellUntil[candidate] = Int.max
    }

    func weight(of product: Int) -> Double { 1 / (Double(ranks[product]) + 3) }

    /// Plants co-purchase groups: every pairing from `Taxonomy.pairings` as often as the catalog holds
    /// distinct products for it (up to 3 instances), then a same-leaf pair in every leaf that got none.
    private mutating func plantGroups(random: inout SplitMix64) {
        var byNoun: [String: [Int]] = [:]
        for leaf in leaves {
            for (position, product) in leaf.products.enumerated() {
                let noun = leaf.spec.items[position % leaf.spec.items.count].noun
                byNoun[noun, default: []].append(Int(product))
            }
        }
        func addGroup(_ members: [Int]) {
            let groupIndex = Int32(groups.count)
            groups.append(members.map { Int32($0) })
            for member in members { group[member] = groupIndex }
        }
        for pairing in Taxonomy.pairings {
            for instance in 0..<3 {
                var members: [Int] = []
                for noun in pairing {
                    guard let candidates = byNoun[noun], instance < candidates.count else { continue }
                    let product = candidates[instance]
                    if group[product] < 0 { members.append(product) }
                }
                if members.count >= 2 { addGroup(members) }
            }
        }
        for leaf in leaves {
            let free = leaf.products.map { Int($0) }.filter { group[$0] < 0 }
            guard free.count >= 2, !leaf.products.contains(where: { group[Int($0)] >= 0 }) else { continue }
            let first = free[random.below(free.count)]
            var second = free[random.below(free.count)]
            if second == first { second = free[(free.firstIndex(of: first).map { $0 + 1 } ?? 0) % free.count] }
            addGroup([first, second])
        }
    }

    @inline(__always)
    func isSellable(_ product: Int, day: Int) -> Bool {
        day >= launchDay[product] && day < sellUntil[product]
    }

    /// Week-long promotions: about 7 % of product-weeks are 10-25 % off. Stateless, so every order
    /// in that week sees the same promotion.
    @inline(__always)
    func promotionPercent(_ product: Int, day: Int, seed: UInt64) -> Int {
        let week = UInt64(max(0, day) / 7)
        let hash = mix64(seed ^ (UInt64(product) &* 0x9E37_79B9_7F4A_7C15) ^ (week &* 0xC2B2_AE3D_27D4_EB4F))
        guard hash % 1000 < 70 else { return 0 }
        return 10 + Int((hash >> 20) % 4) * 5
    }
}

// MARK: - Catalog files

private enum CatalogFiles {
    static func writeCategories(_ catalog: Catalog, planted: [PlantedRow], to csv: CSVWriter) throws {
        try csv.row(["category_id", "parent_id", "name"])
        var next = 0
        for (index, category) in catalog.categories.enumerated() {
            try csv.raw(category.id)
            try csv.raw(category.parentId)
            try csv.text(category.name)
            try csv.endRow()
            while next < planted.count, planted[next].after == index + 1 {
                // Kind 9: the parent is a root number past the last real root, so it cannot exist.
                let parent = "CAT" + Text.twoDigits(catalog.rootCount + 1 + planted[next].ordinal)
                try csv.row([parent + "-01", parent, "Clearance Corner \(planted[next].ordinal + 1)"])
                next += 1
            }
        }
    }

    static func writeProducts(
        _ catalog: Catalog, calendar: DemandCalendar, planted: [PlantedRow], badRandom: inout SplitMix64,
        to csv: CSVWriter
    ) throws {
        try csv.row(["product_id", "name", "category_id", "brand", "price", "cost", "launched_on", "active"])
        var next = 0
        for product in 0..<catalog.productCount {
            let leaf = catalog.leaves[Int(catalog.leafOf[product])]
            try csv.raw(catalog.ids[product])
            try csv.text(catalog.names[product])
            try csv.raw(leaf.categoryId)
            try csv.text(catalog.brands[product])
            try csv.raw(catalog.priceText[product])
            try csv.raw(catalog.costCents[product] < 0 ? nil : Text.money(catalog.costCents[product]))
            try csv.raw(GeneratedDate.text(calendar.firstDay + catalog.launchDay[product]))
            try csv.raw(catalog.active[product] ? "true" : "false")
            try csv.endRow()
            while next < planted.count, planted[next].after == product + 1 {
                // Kind 8: a new listing whose price was never entered; ids continue after the catalog.
                let id = Text.identifier(
                    UInt8(ascii: "P"), catalog.productCount + 1 + planted[next].ordinal, width: catalog.idWidth)
                let launched = calendar.firstDay + calendar.days - 1 - badRandom.below(30)
                try csv.row([
                    id, catalog.brands[product] + " Trial Pack", leaf.categoryId, catalog.brands[product], nil,
                    Text.money(50 + badRandom.below(500)), GeneratedDate.text(launched), "true",
                ])
                next += 1
            }
        }
    }

    static func writeAttributes(_ catalog: Catalog, to csv: CSVWriter) throws {
        try csv.row(["product_id", "attribute", "value"])
        for product in 0..<catalog.productCount {
            let id = catalog.ids[product]
            if catalog.eco[product] { try csv.row([id, "tag", "eco"]) }
            if catalog.organic[product] { try csv.row([id, "tag", "organic"]) }
            if catalog.season[product] != .none { try csv.row([id, "season", catalog.season[product].label]) }
            if catalog.replenishDays[product] > 0 {
                try csv.row([id, "replenish_days", String(catalog.replenishDays[product])])
            }
            if catalog.premium[product] { try csv.row([id, "premium", "true"]) }
        }
    }
}

// MARK: - Stores

/// The chain's stores, spread over the biggest cities first: S01 in Berlin, S02 in Hamburg, ...
private struct StoreNetwork {
    let count: Int
    let ids: [String]

    init(customers: Int) {
        count = min(60, max(3, customers / 100))
        ids = (0..<count).map { Text.identifier(UInt8(ascii: "S"), $0 + 1, width: 2) }
    }

    /// The store a member of `city` shops at: one in their city, else a deterministic "nearest" one.
    func homeStore(city: Int, random: inout SplitMix64) -> Int {
        let cities = People.cities.count
        guard city < count else { return city % count }
        let inCity = (count - 1 - city) / cities + 1
        return city + cities * random.below(inCity)
    }
}

// MARK: - Customers

private enum Archetype: UInt8 {
    case neverBuys, oneOff, churner, regular, heavy
}

/// What the order simulation needs to know about one member.
private struct ShopperProfile {
    var archetype: Archetype
    /// Demand-time window in which the member's orders fall.
    var windowStart: Double
    var windowEnd: Double
    /// Relative appetite, before scaling to the requested number of orders.
    var appetite: Double
    var plannedOrders = 0
    var homeStore: Int
    var favoriteLeaves: (Int, Int)
    /// 0 store, 1 web, 2 app.
    var preferredChannel: Int
    /// Re-buys consumables here on their cycle (and comes back for them).
    var replenisher: Bool
    var bonusBasisPoints: Int
    /// 1...12, or 0 when the birth date is unknown.
    var birthMonth: Int
}

/// Names, places and contact details; a few names carry diacritics to exercise UTF-8 handling.
private enum People {
    static let firstNames: [(display: String, ascii: String)] = [
        ("Anna", "anna"), ("Lena", "lena"), ("Mia", "mia"), ("Emma", "emma"), ("Sofia", "sofia"),
        ("Hannah", "hannah"), ("Lea", "lea"), ("Marie", "marie"), ("Clara", "clara"), ("Zoë", "zoe"),
        ("Chloé", "chloe"), ("Anaïs", "anais"), ("Jürgen", "juergen"), ("Björn", "bjoern"), ("Jörg", "joerg"),
        ("Søren", "soeren"), ("José", "jose"), ("Łukasz", "lukasz"), ("Ömer", "oemer"), ("Ayşe", "ayse"),
        ("Lukas", "lukas"), ("Leon", "leon"), ("Finn", "finn"), ("Paul", "paul"), ("Jonas", "jonas"),
        ("Noah", "noah"), ("Elias", "elias"), ("Felix", "felix"), ("Max", "max"), ("Ben", "ben"),
        ("Thomas", "thomas"), ("Michael", "michael"), ("Andreas", "andreas"), ("Stefan", "stefan"),
        ("Sabine", "sabine"), ("Petra", "petra"), ("Monika", "monika"), ("Ursula", "ursula"), ("Klaus", "klaus"),
        ("Wolfgang", "wolfgang"), ("Mehmet", "mehmet"), ("Fatma", "fatma"), ("Olga", "olga"), ("Dmitri", "dmitri"),
        ("Giulia", "giulia"), ("Marco", "marco"), ("Aleksandra", "aleksandra"), ("Mary-Ann", "maryann"),
        ("Jean-Luc", "jeanluc"), ("Linh", "linh"), ("Yuki", "yuki"), ("Priya", "priya"),
    ]

    /// (city, region, relative population); the order also fixes which cities get stores first.
    static let cities: [(name: String, region: String, weight: Double)] = [
        ("Berlin", "Berlin", 3.6), ("Hamburg", "Hamburg", 1.8), ("München", "Bayern", 1.5),
        ("Köln", "Nordrhein-Westfalen", 1.1), ("Frankfurt am Main", "Hessen", 0.75),
        ("Stuttgart", "Baden-Württemberg", 0.63), ("Düsseldorf", "Nordrhein-Westfalen", 0.62),
        ("Leipzig", "Sachsen", 0.6), ("Dortmund", "Nordrhein-Westfalen", 0.59), ("Essen", "Nordrhein-Westfalen", 0.58),
        ("Bremen", "Bremen", 0.57), ("Dresden", "Sachsen", 0.56), ("Hannover", "Niedersachsen", 0.54),
        ("Nürnberg", "Bayern", 0.52), ("Kiel", "Schleswig-Holstein", 0.25), ("Magdeburg", "Sachsen-Anhalt", 0.24),
        ("Freiburg im Breisgau", "Baden-Württemberg", 0.23), ("Mainz", "Rheinland-Pfalz", 0.22),
        ("Rostock", "Mecklenburg-Vorpommern", 0.21), ("Erfurt", "Thüringen", 0.21), ("Potsdam", "Brandenburg", 0.18),
        ("Saarbrücken", "Saarland", 0.18),
    ]
    static let citySampler = WeightedIndex(cities.map { $0.weight })
    static let domains = ["example.com", "example.org", "example.net"]

    /// The cells of one customers.csv row after the id and before signup_date, plus the birth month.
    struct Person {
        var email: String?
        var phone: String?
        var firstName: String
        var birthDay: Int?
        var city: Int
        var consents: [String?]
    }

    /// Whether a consent cell as written says yes.
    static func isYes(_ cell: String) -> Bool { cell == "true" || cell == "1" || cell == "yes" }

    /// A random person; `number` (1-based) goes into the e-mail so addresses are unique.
    static func make(number: Int, asOfDay: Int, random: inout SplitMix64) -> Person {
        let name = random.pick(firstNames)
        var email: String?
        if !random.chance(0.10) {
            let separator = random.pick([".", "_", ""])
            let address = name.ascii + separator + String(number) + "@" + random.pick(domains)
            // A few addresses as typed at the till: mixed case, which ingest should normalise.
            email = random.chance(0.03) ? address.prefix(1).uppercased() + address.dropFirst() : address
        }
        var phone: String?
        if !random.chance(0.30) {
            let provider = 150 + random.below(30)
            var subscriber = ""
            for _ in 0..<(7 + random.below(2)) { subscriber += String(random.below(10)) }
            switch random.below(3) {
            case 0: phone = "+49 \(provider) \(subscriber)"
            case 1: phone = "0\(provider) \(subscriber)"
            default: phone = "+49\(provider)\(subscriber)"
            }
        }
        var birthDay: Int?
        if !random.chance(0.20) {
            // Ages 18-80, most around 45; the fractional year spreads birthdays over the whole year.
            let age = 18 + 62 * (random.nextUnit() + random.nextUnit() + random.nextUnit()) / 3
            birthDay = asOfDay - Int(age * 365.2425)
        }
        let city = citySampler.index(random.nextUnit())
        // Different source systems wrote consents differently: true/false, 1/0, yes/no, or nothing.
        let style = random.nextUnit()
        let spellings: (String, String) = style < 0.55 ? ("true", "false") : style < 0.78 ? ("1", "0") : ("yes", "no")
        let consents: [String?] = [0.6, 0.3, 0.4].map { share in
            if random.chance(0.06) { return nil }
            return random.chance(share) ? spellings.0 : spellings.1
        }
        return Person(email: email, phone: phone, firstName: name.display, birthDay: birthDay, city: city, consents: consents)
    }
}

private enum Population {
    /// About 7 % of orders carry no customer id (shoppers who did not show their card).
    static func anonymousOrders(total: Int) -> Int {
        min(total, (total * 7 + 50) / 100)
    }

    /// Archetype of every member: ~8 % never buy, ~35 % buy once, ~17 % churn, ~32 % regular, ~8 % heavy.
    /// Tiny populations are nudged so that someone is there to place the requested orders.
    static func archetypes(customers: Int, customerOrders: Int, random: inout SplitMix64) -> [Archetype] {
        var result: [Archetype] = (0..<customers).map { _ in
            let roll = random.nextUnit()
            if roll < 0.08 { return .neverBuys }
            if roll < 0.43 { return .oneOff }
            if roll < 0.60 { return .churner }
            if roll < 0.92 { return .regular }
            return .heavy
        }
        let buyers = result.filter { $0 != .neverBuys }.count
        let repeaters = result.filter { $0 != .neverBuys && $0 != .oneOff }.count
        if customerOrders > 0, buyers == 0 {
            result[0] = .regular
        } else if customerOrders > buyers, repeaters == 0, let index = result.firstIndex(of: .oneOff) {
            result[index] = .regular
        }
        return result
    }

    /// Splits `orders` among members: one each for one-off buyers, at least two for the others, the rest
    /// in proportion to appetite × window length (largest remainder, so the total is exact). Returns
    /// how many orders were placed with members (less than `orders` only if nobody can buy).
    static func allocate(orders: Int, profiles: inout [ShopperProfile]) -> Int {
        let buyers = profiles.indices.filter { profiles[$0].archetype != .neverBuys }
        let repeaters = buyers.filter { profiles[$0].archetype != .oneOff }
        guard orders > 0, !buyers.isEmpty else { return 0 }
        let minimum = buyers.count + repeaters.count
        if orders <= minimum {
            // Not enough orders for every archetype's minimum: first one each, then seconds for repeaters.
            var left = orders
            for index in buyers where left > 0 {
                profiles[index].plannedOrders = 1
                left -= 1
            }
            for index in repeaters where left > 0 {
                profiles[index].plannedOrders += 1
                left -= 1
            }
            return orders
        }
        for index in buyers { profiles[index].plannedOrders = profiles[index].archetype == .oneOff ? 1 : 2 }
        let rest = orders - minimum
        let weights = repeaters.map { profiles[$0].appetite * (profiles[$0].windowEnd - profiles[$0].windowStart) }
        let totalWeight = weights.reduce(0, +)
        guard totalWeight > 0 else { return minimum }
        var assigned = 0
        var remainders: [(fraction: Double, index: Int)] = []
        remainders.reserveCapacity(repeaters.count)
        for (position, index) in repeaters.enumerated() {
            let quota = Double(rest) * weights[position] / totalWeight
            let whole = Int(quota)
            profiles[index].plannedOrders += whole
            assigned += whole
            remainders.append((quota - Double(whole), index))
        }
        remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.index < $1.index }
        var position = 0
        while assigned < rest {
            profiles[remainders[position % remainders.count].index].plannedOrders += 1
            assigned += 1
            position += 1
        }
        return orders
    }
}

/// Writes customers.csv and returns every member's behaviour profile and details in id order.
private enum CustomerFile {
    static func write(
        archetypes: [Archetype], idWidth: Int, asOfDay: Int, calendar: DemandCalendar, catalog: Catalog, stores: StoreNetwork,
        planted: [PlantedRow], badAddresses: Int, random: inout SplitMix64, badRandom: inout SplitMix64, to csv: CSVWriter
    ) throws -> ([ShopperProfile], [People.Person]) {
        try csv.row([
            "customer_id", "email", "phone", "first_name", "birth_date", "city", "region", "signup_date",
            "consent_email", "consent_sms", "consent_push",
        ])
        let days = calendar.days
        let stocked = catalog.leaves.indices.filter { !catalog.leaves[$0].products.isEmpty }
        let leafSampler = WeightedIndex(stocked.map { catalog.leaves[$0].sampler.total })
        var profiles: [ShopperProfile] = []
        profiles.reserveCapacity(archetypes.count)
        var members: [People.Person] = []
        members.reserveCapacity(archetypes.count)
        var next = 0
        let mistyped = BadAddressKind.plan(badAddresses, members: archetypes.count)

        for (index, archetype) in archetypes.enumerated() {
            var person = People.make(number: index + 1, asOfDay: asOfDay, random: &random)
            if let kind = mistyped[index] { kind.spoil(&person, number: index + 1) }
            members.append(person)
            let (startDay, endDay, appetite) = window(for: archetype, days: days, random: &random)
            // Signed up before the first order: long-time members before the history, new ones shortly before.
            let signupDay: Int
            if archetype == .neverBuys {
                signupDay = -1000 + random.below(days + 1000)
            } else if startDay == 0 && random.chance(0.85) {
                signupDay = -1 - random.below(1500)
            } else {
                signupDay = startDay - 1 - (random.chance(0.6) ? random.below(5) : random.below(120))
            }
            let favorites = (
                stocked.isEmpty ? -1 : stocked[leafSampler.index(random.nextUnit())],
                stocked.isEmpty ? -1 : stocked[leafSampler.index(random.nextUnit())]
            )
            let channelRoll = random.nextUnit()
            let replenishShare: Double = archetype == .heavy ? 0.85 : archetype == .regular ? 0.55 : 0.4
            let profile = ShopperProfile(
                archetype: archetype,
                windowStart: calendar.start(ofDay: startDay), windowEnd: calendar.start(ofDay: endDay + 1),
                appetite: appetite, homeStore: stores.homeStore(city: person.city, random: &random),
                favoriteLeaves: favorites, preferredChannel: channelRoll < 0.55 ? 0 : channelRoll < 0.82 ? 1 : 2,
                replenisher: random.chance(replenishShare), bonusBasisPoints: archetype == .heavy ? 200 : 100,
                birthMonth: person.birthDay.map { GeneratedDate.components($0).month } ?? 0)
            profiles.append(profile)

            let id = Text.identifier(UInt8(ascii: "C"), index + 1, width: idWidth)
            try writeRow(id: id, person: person, birth: person.birthDay.map(GeneratedDate.text),
                         signup: GeneratedDate.text(calendar.firstDay + signupDay), to: csv)

            while next < planted.count, planted[next].after == index + 1 {
                let row = planted[next]
                // E-mail numbers past the real members', distinct for the two kinds.
                let number = archetypes.count + 1 + 2 * row.ordinal + (row.kind == .duplicateCustomer ? 0 : 1)
                let fake = People.make(number: number, asOfDay: asOfDay, random: &badRandom)
                let signup = GeneratedDate.text(calendar.firstDay + badRandom.below(days))
                if row.kind == .duplicateCustomer {
                    // Kind 6: an earlier member's id again, with someone else's details.
                    let earlier = Text.identifier(UInt8(ascii: "C"), index / 2 + 1, width: idWidth)
                    try writeRow(id: earlier, person: fake, birth: fake.birthDay.map(GeneratedDate.text), signup: signup, to: csv)
                } else {
                    // Kind 7: a new member whose birth date cannot exist.
                    let fresh = Text.identifier(UInt8(ascii: "C"), archetypes.count + 1 + row.ordinal, width: idWidth)
                    try writeRow(id: fresh, person: fake, birth: "1990-02-30", signup: signup, to: csv)
                }
                next += 1
            }
        }
        return (profiles, members)
    }

    private static func writeRow(id: String, person: People.Person, birth: String?, signup: String, to csv: CSVWriter) throws {
        let city = People.cities[person.city]
        try csv.raw(id)
        try csv.text(person.email)
        try csv.text(person.phone)
        try csv.text(person.firstName)
        try csv.raw(birth)
        try csv.text(city.name)
        try csv.text(city.region)
        try csv.raw(signup)
        for consent in person.consents { try csv.raw(consent) }
        try csv.endRow()
    }

    /// First and last history day of a member's activity, and their relative order rate.
    private static func window(for archetype: Archetype, days: Int, random: inout SplitMix64) -> (Int, Int, Double) {
        let last = days - 1
        let startRoll = random.nextUnit()
        let spread = random.nextUnit()
        let lengthRoll = random.nextUnit()
        // A skewed multiplier in [0.4, 3.4) (mean ~1.4): a few members of each kind buy far more.
        let appetite = 0.4 + random.nextUnit() + 2 * random.nextUnit() * random.nextUnit()
        func day(_ fraction: Double) -> Int { min(last, max(0, Int(fraction * Double(days)))) }
        switch archetype {
        case .neverBuys:
            return (0, last, 0)
        case .oneOff:
            return (startRoll < 0.5 ? 0 : day(spread * 0.95), last, 1)
        case .churner:
            // Active early for a few months, then gone well before the end of the history.
            let start = day(spread * 0.5)
            let end = min(last, start + max(1, Int((0.12 + 0.3 * lengthRoll) * Double(days))))
            return (start, end, appetite / 15)
        case .regular:
            return (startRoll < 0.55 ? 0 : day(spread * 0.85), last, appetite / 35)
        case .heavy:
            return (startRoll < 0.75 ? 0 : day(spread * 0.5), last, appetite / 6)
        }
    }
}

// MARK: - Order simulation

/// A scheduled order: `time` is seconds since the start of history day 0, `reference` a member index
/// (the anonymous stream is the index after the last member), or `-(slot + 1)` for a pending return.
private struct Event {
    let time: Int64
    let sequence: UInt64
    let reference: Int32
}

/// A binary min-heap on (time, sequence): equal times come out in creation order, deterministically.
private struct EventQueue {
    private var items: [Event] = []

    @inline(__always)
    private static func precedes(_ a: Event, _ b: Event) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }

    mutating func push(_ event: Event) {
        items.append(event)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Event? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < items.count else { break }
                var smallest = left
                if left + 1 < items.count, Self.precedes(items[left + 1], items[left]) { smallest = left + 1 }
                guard Self.precedes(items[smallest], items[parent]) else { break }
                items.swapAt(smallest, parent)
                parent = smallest
            }
        }
        return top
    }
}

/// A consumable a member re-buys on a cycle.
private struct TrackedItem {
    var product: Int32
    /// History day on which they will want it again.
    var due: Int32
    var cycle: Int32
}

private struct ShopperState {
    /// Orders still to place, the one already scheduled included.
    var remaining: Int
    /// Demand time of the latest scheduled order.
    var position: Double
    var windowEnd: Double
    var tracked: [TrackedItem] = []
    /// Recently bought products, re-bought out of habit.
    var recent: [Int32] = []
    var bonusCents = 0
}

private struct BasketLine {
    var product: Int
    var quantity: Int
    var unitCents: Int
    var onPromotion: Bool
    /// -1 = no discount (empty cell).
    var discountCents = -1
    var earnedCents = 0
    var spentCents = 0
}

private struct PendingReturn {
    var shopper: Int
    var product: Int
    var quantity: Int
    var unitCents: Int
    var store: Int
    var channel: Int
}

/// The order a planted bad transaction row is attached to.
private struct OrderContext {
    var orderId = ""
    var customerId: String?
    var timestamp = ""
    var store = 0
    var channel = 0
    var product = 0
    var unitCents = 100
}

/// Replays the history in time order and streams transactions.csv.
///
/// Every member has a budget of orders and a window of demand time. Their next order lands at
/// `t + (end - t) / (remaining + 0.5) × U(0.5, 1.5)`, which always fits the remaining orders in the
/// window and spaces them fairly regularly, like real habits. A member who buys consumables here comes
/// back when one runs out if that is sooner. A return uses one of the member's order slots, so the
/// total number of order ids is exactly `orders`.
private struct OrderSimulator {
    static let channels = ["store", "web", "app"]
    /// Chance that a member's order (with an order slot to spare) gets a later return.
    static let returnRate = 0.11

    let catalog: Catalog
    let calendar: DemandCalendar
    let profiles: [ShopperProfile]
    let customerIds: [String]
    let stores: StoreNetwork
    let planted: [PlantedRow]
    let csv: CSVWriter
    let promotionSeed: UInt64
    var random: SplitMix64
    var badRandom: SplitMix64
    var states: [ShopperState]
    var queue = EventQueue()
    var returns: [PendingReturn] = []
    var freeReturnSlots: [Int] = []
    var sequence: UInt64 = 0
    var basket: [BasketLine] = []
    var ordersWritten = 0
    var linesWritten = 0
    var nextPlanted = 0
    var context = OrderContext()
    let unknownProductBase: Int
    let orderIdWidth: Int

    init(
        catalog: Catalog, calendar: DemandCalendar, profiles: [ShopperProfile], customerIdWidth: Int,
        anonymousOrders: Int, stores: StoreNetwork, planted: [PlantedRow], missingPriceRows: Int,
        random: SplitMix64, badRandom: SplitMix64, csv: CSVWriter
    ) {
        self.catalog = catalog
        self.calendar = calendar
        self.profiles = profiles
        self.stores = stores
        self.planted = planted
        self.csv = csv
        self.random = random
        self.badRandom = badRandom
        var promotionRandom = random.derived(7)
        promotionSeed = promotionRandom.next()
        let totalOrders = profiles.reduce(anonymousOrders) { $0 + $1.plannedOrders }
        orderIdWidth = max(7, Text.digitCount(totalOrders))
        customerIds = profiles.indices.map { Text.identifier(UInt8(ascii: "C"), $0 + 1, width: customerIdWidth) }
        // Kind 1 ids continue after the catalog and after the kind 8 (unpriced) products, so they
        // are in no file at all.
        unknownProductBase = catalog.productCount + 1 + missingPriceRows
        states = profiles.map { ShopperState(remaining: $0.plannedOrders, position: $0.windowStart, windowEnd: $0.windowEnd) }
        states.append(ShopperState(remaining: anonymousOrders, position: 0, windowEnd: calendar.totalDemand))
        basket.reserveCapacity(64)
    }

    mutating func run(progress: (String) -> Void) throws {
        try csv.row([
            "order_id", "customer_id", "ordered_at", "product_id", "quantity", "unit_price", "discount", "store_id",
            "channel", "bonus_earned", "bonus_spent",
        ])
        for shopper in states.indices where states[shopper].remaining > 0 {
            scheduleNext(shopper, first: true)
        }
        var nextReport = 1_000_000
        while let event = queue.pop() {
            if event.reference >= 0 {
                try emitPurchase(Int(event.reference), time: event.time)
            } else {
                try emitReturn(Int(-event.reference - 1), time: event.time)
            }
            while nextPlanted < planted.count, planted[nextPlanted].after == ordersWritten {
                try writePlanted(planted[nextPlanted])
                nextPlanted += 1
            }
            if linesWritten >= nextReport {
                progress("\(FileName.transactions): \(linesWritten) lines, \(ordersWritten) orders")
                nextReport += 1_000_000
            }
        }
    }

    // MARK: Scheduling

    private mutating func push(_ day: Int, _ second: Int, _ reference: Int) {
        sequence += 1
        queue.push(Event(time: Int64(day) * 86_400 + Int64(second), sequence: sequence, reference: Int32(reference)))
    }

    private mutating func scheduleNext(_ shopper: Int, first: Bool) {
        let remaining = states[shopper].remaining
        guard remaining > 0 else { return }
        let now = states[shopper].position
        let end = states[shopper].windowEnd
        var next: Double
        if first {
            // One-off buyers anywhere in their window; others start within the first slice of it.
            next = now + (end - now) / Double(remaining) * random.nextUnit()
        } else {
            next = now + (end - now) / (Double(remaining) + 0.5) * (0.5 + random.nextUnit())
            if shopper < profiles.count, profiles[shopper].replenisher,
                let due = states[shopper].tracked.min(by: { $0.due < $1.due })
            {
                // Come back when a consumable runs out, if that is sooner and the member shops often
                // enough for the cycle to matter.
                let dueDay = Int(due.due)
                let meanGap = (end - now) / Double(remaining)
                let lateInDay = 0.25 + 0.6 * random.nextUnit()
                if meanGap <= 2 * Double(due.cycle), dueDay >= 0, dueDay < calendar.days {
                    let dueDemand = calendar.start(ofDay: dueDay) + calendar.weights[dueDay] * lateInDay
                    if dueDemand > now, dueDemand < next { next = dueDemand }
                }
            }
        }
        next = min(next, end)
        states[shopper].position = next
        let (day, second) = calendar.locate(next)
        push(day, second, shopper)
    }

    // MARK: Orders

    private mutating func emitPurchase(_ shopper: Int, time: Int64) throws {
        let day = Int(time / 86_400)
        let second = Int(time % 86_400)
        let identified = shopper < profiles.count
        fillBasket(shopper, day: day, identified: identified)

        // Stores open 8-21 and are closed on Sundays; then the order is placed online.
        let hour = second / 3600
        let storesOpen = calendar.weekdays[day] != 6 && hour >= 8 && hour < 21
        var channel: Int
        var store: Int
        if identified {
            let profile = profiles[shopper]
            channel = random.chance(0.75) ? profile.preferredChannel : random.below(3)
            store = channel == 0 && random.chance(0.15) ? random.below(stores.count) : profile.homeStore
        } else {
            channel = random.chance(0.88) ? 0 : 1
            store = random.below(stores.count)
        }
        if channel == 0 && !storesOpen { channel = identified && random.chance(0.4) ? 2 : 1 }
        price(shopper, day: day, identified: identified)

        ordersWritten += 1
        let orderId = Text.identifier(UInt8(ascii: "O"), ordersWritten, width: orderIdWidth)
        let timestamp = makeTimestamp(day: day, second: second, zoned: !random.chance(0.10))
        let customerId = identified ? customerIds[shopper] : nil
        for line in basket {
            try writeLine(
                orderId: orderId, customerId: customerId, timestamp: timestamp, product: catalog.ids[line.product],
                quantity: String(line.quantity),
                unitPrice: line.onPromotion ? Text.money(line.unitCents) : catalog.priceText[line.product],
                discount: line.discountCents >= 0 ? Text.money(line.discountCents) : nil, store: store, channel: channel,
                earned: line.earnedCents > 0 ? Text.money(line.earnedCents) : nil,
                spent: line.spentCents > 0 ? Text.money(line.spentCents) : nil)
        }
        context = OrderContext(
            orderId: orderId, customerId: customerId, timestamp: timestamp, store: store, channel: channel,
            product: basket[0].product, unitCents: basket[0].unitCents)

        if identified {
            var earned = 0
            for line in basket { earned += line.earnedCents }
            states[shopper].bonusCents += earned
            OrderSimulator.remember(
                &states[shopper], basket: basket, day: day, replenisher: profiles[shopper].replenisher,
                catalog: catalog, random: &random)
        }
        states[shopper].remaining -= 1
        if identified, states[shopper].remaining >= 1, random.chance(OrderSimulator.returnRate) {
            scheduleReturn(shopper, day: day, store: store, channel: channel)
        }
        scheduleNext(shopper, first: false)
    }

    /// A later order in which the member brings back (part of) one undiscounted line of this order.
    private mutating func scheduleReturn(_ shopper: Int, day: Int, store: Int, channel: Int) {
        let line = basket[random.below(basket.count)]
        let delay = 1 + Int(random.nextUnit() * random.nextUnit() * 29)
        let second = calendar.secondOfDay(random.nextUnit())
        guard line.discountCents < 0, day + delay < calendar.days else { return }
        let quantity = line.quantity == 1 ? 1 : 1 + random.below(line.quantity)
        let pending = PendingReturn(
            shopper: shopper, product: line.product, quantity: quantity, unitCents: line.unitCents, store: store,
            channel: channel)
        let slot: Int
        if let free = freeReturnSlots.popLast() {
            returns[free] = pending
            slot = free
        } else {
            returns.append(pending)
            slot = returns.count - 1
        }
        states[shopper].remaining -= 1
        push(day + delay, second, -(slot + 1))
    }

    private mutating func emitReturn(_ slot: Int, time: Int64) throws {
        let pending = returns[slot]
        freeReturnSlots.append(slot)
        let day = Int(time / 86_400)
        let second = Int(time % 86_400)
        let hour = second / 3600
        let storesOpen = calendar.weekdays[day] != 6 && hour >= 8 && hour < 21
        ordersWritten += 1
        let orderId = Text.identifier(UInt8(ascii: "O"), ordersWritten, width: orderIdWidth)
        let timestamp = makeTimestamp(day: day, second: second, zoned: !random.chance(0.10))
        let channel = pending.channel == 0 && !storesOpen ? 1 : pending.channel
        try writeLine(
            orderId: orderId, customerId: customerIds[pending.shopper], timestamp: timestamp,
            product: catalog.ids[pending.product], quantity: String(-pending.quantity),
            unitPrice: Text.money(pending.unitCents), discount: nil, store: pending.store, channel: channel,
            earned: nil, spent: nil)
        context = OrderContext(
            orderId: orderId, customerId: customerIds[pending.shopper], timestamp: timestamp, store: pending.store,
            channel: channel, product: pending.product, unitCents: pending.unitCents)
    }

    // MARK: Baskets

    /// Basket sizes: mostly 1-6 lines (mean about 3.4), with a thin tail of big shops up to 40 lines.
    private static let basketSizes = WeightedIndex([
        0.26, 0.22, 0.16, 0.11, 0.08, 0.06, 0.04, 0.025, 0.012, 0.01, 0.009, 0.007, 0.007,
    ])

    private mutating func drawBasketSize() -> Int {
        let size = OrderSimulator.basketSizes.index(random.nextUnit()) + 1
        return size < 13 ? size : 13 + random.below(28)
    }

    private func inBasket(_ product: Int) -> Bool {
        for line in basket where line.product == product { return true }
        return false
    }

    private mutating func fillBasket(_ shopper: Int, day: Int, identified: Bool) {
        basket.removeAll(keepingCapacity: true)
        var target = drawBasketSize()
        if identified {
            if profiles[shopper].archetype == .heavy, random.chance(0.3) { target += 1 }
            // Consumables that have run out come first: this is what brings the member in.
            let tracked = states[shopper].tracked
            for item in tracked where day >= Int(item.due) - 3 {
                let product = Int(item.product)
                if random.chance(0.9), catalog.isSellable(product, day: day), !inBasket(product) {
                    addLine(product, day: day)
                }
            }
        } else if random.chance(0.5) {
            target = max(1, target - 1)
        }
        let season = calendar.seasons[day]
        var attempts = 0
        while basket.count < target && attempts < target * 4 + 8 {
            attempts += 1
            let product = pickProduct(shopper, identified: identified)
            guard catalog.isSellable(product, day: day), !inBasket(product) else { continue }
            guard acceptsSeason(product, season) else { continue }
            addLine(product, day: day)
            let group = Int(catalog.group[product])
            if group >= 0 {
                for member in catalog.groups[group] {
                    let partner = Int(member)
                    if partner != product, random.chance(0.6), catalog.isSellable(partner, day: day),
                        !inBasket(partner), acceptsSeason(partner, season)
                    {
                        addLine(partner, day: day)
                    }
                }
            }
        }
        if basket.isEmpty { addLine(catalog.fallback, day: day) }
    }

    /// Seasonal products sell mostly in their season: out of it, 19 of 20 picks are put back.
    private mutating func acceptsSeason(_ product: Int, _ season: Season) -> Bool {
        let productSeason = catalog.season[product]
        return productSeason == .none || productSeason == season || random.chance(0.05)
    }

    /// Habit (recent purchases), the member's favourite categories, or the chain-wide bestseller curve.
    private mutating func pickProduct(_ shopper: Int, identified: Bool) -> Int {
        let roll = random.nextUnit()
        if identified {
            let recentCount = states[shopper].recent.count
            if roll < 0.2, recentCount > 0 { return Int(states[shopper].recent[random.below(recentCount)]) }
            if roll < 0.5 {
                let favorites = profiles[shopper].favoriteLeaves
                let leafIndex = roll < 0.4 ? favorites.0 : favorites.1
                if leafIndex >= 0 {
                    let leaf = catalog.leaves[leafIndex]
                    return Int(leaf.products[leaf.sampler.index(random.nextUnit())])
                }
            }
        }
        return catalog.popularity.index(random.nextUnit())
    }

    private mutating func addLine(_ product: Int, day: Int) {
        let listPrice = catalog.priceCents[product]
        let roll = random.nextUnit()
        let quantity: Int
        if listPrice >= 5000 {
            quantity = roll < 0.95 ? 1 : 2
        } else if catalog.replenishDays[product] > 0 {
            quantity = roll < 0.62 ? 1 : roll < 0.87 ? 2 : roll < 0.95 ? 3 : 4 + random.below(3)
        } else if listPrice < 300 {
            quantity = roll < 0.6 ? 1 : roll < 0.82 ? 2 : roll < 0.92 ? 3 : 4 + random.below(5)
        } else {
            quantity = roll < 0.8 ? 1 : roll < 0.94 ? 2 : roll < 0.98 ? 3 : 4 + random.below(3)
        }
        let promotion = catalog.promotionPercent(product, day: day, seed: promotionSeed)
        let unit = promotion > 0 ? (listPrice * (100 - promotion) + 50) / 100 : listPrice
        basket.append(BasketLine(product: product, quantity: quantity, unitCents: unit, onPromotion: promotion > 0))
    }

    /// Coupons (birthday month: much likelier), clearance markdowns, bonus earned and spent.
    private mutating func price(_ shopper: Int, day: Int, identified: Bool) {
        var couponPercent = 0
        var basisPoints = 0
        if identified {
            let profile = profiles[shopper]
            basisPoints = profile.bonusBasisPoints
            let birthday = profile.birthMonth == Int(calendar.months[day])
            if random.chance(birthday ? 0.3 : 0.06) { couponPercent = birthday ? 15 : random.pick([5, 10, 20]) }
        }
        var orderNet = 0
        for index in basket.indices {
            let gross = basket[index].unitCents * basket[index].quantity
            var discount = -1
            if couponPercent > 0 {
                discount = (gross * couponPercent + 50) / 100
            } else if !basket[index].onPromotion, random.chance(0.015) {
                discount = gross * (20 + random.below(31)) / 100
            }
            if discount == 0 { discount = -1 }
            let net = gross - max(0, discount)
            basket[index].discountCents = discount
            if identified { basket[index].earnedCents = (net * basisPoints + 5000) / 10_000 }
            orderNet += net
        }
        if identified, states[shopper].bonusCents >= 500, random.chance(0.2) {
            let spend = min(states[shopper].bonusCents, orderNet) / 100 * 100
            if spend >= 100 {
                basket[0].spentCents = spend
                states[shopper].bonusCents -= spend
            }
        }
    }

    /// Updates habits after an order: consumable cycles and recently bought products.
    private static func remember(
        _ state: inout ShopperState, basket: [BasketLine], day: Int, replenisher: Bool, catalog: Catalog,
        random: inout SplitMix64
    ) {
        // Days between this member's visits from now on; someone who comes every few months buys
        // a consumable when they happen to be here, not on its cycle.
        let meanGap = (state.windowEnd - state.position) / Double(max(1, state.remaining))
        // Consumables long overdue are evidently bought elsewhere now.
        state.tracked.removeAll { day > Int($0.due) + 2 * Int($0.cycle) }
        for line in basket {
            let product = Int32(line.product)
            let cycle = catalog.replenishDays[line.product]
            if cycle > 0 {
                let due = Int32(day + Int(Double(cycle) * (0.85 + 0.3 * random.nextUnit()) + 0.5))
                if let index = state.tracked.firstIndex(where: { $0.product == product }) {
                    state.tracked[index].due = due
                } else if replenisher, meanGap <= 1.5 * Double(cycle), state.tracked.count < 3, random.chance(0.7) {
                    state.tracked.append(TrackedItem(product: product, due: due, cycle: Int32(cycle)))
                }
            }
            // Consumables come back through their cycle above, everything else through habit.
            if cycle == 0, !state.recent.contains(product) {
                state.recent.append(product)
                if state.recent.count > 6 { state.recent.removeFirst() }
            }
        }
    }

    // MARK: Writing

    /// `2026-03-14T18:04:05Z`, or `2026-03-14 18:04:05` as some till systems write it (no zone).
    private func makeTimestamp(day: Int, second: Int, zoned: Bool) -> String {
        let length = zoned ? 20 : 19
        return String(unsafeUninitializedCapacity: length) { buffer in
            calendar.dateBytes.withUnsafeBufferPointer { dates in
                for index in 0..<10 { buffer[index] = dates[day * 10 + index] }
            }
            buffer[10] = zoned ? UInt8(ascii: "T") : UInt8(ascii: " ")
            let parts = [second / 3600, second / 60 % 60, second % 60]
            for (index, part) in parts.enumerated() {
                buffer[11 + index * 3] = UInt8(48 + part / 10)
                buffer[12 + index * 3] = UInt8(48 + part % 10)
                if index < 2 { buffer[13 + index * 3] = UInt8(ascii: ":") }
            }
            if zoned { buffer[19] = UInt8(ascii: "Z") }
            return length
        }
    }

    private mutating func writeLine(
        orderId: String?, customerId: String?, timestamp: String, product: String, quantity: String,
        unitPrice: String, discount: String?, store: Int, channel: Int, earned: String?, spent: String?
    ) throws {
        try csv.raw(orderId)
        try csv.raw(customerId)
        try csv.raw(timestamp)
        try csv.raw(product)
        try csv.raw(quantity)
        try csv.raw(unitPrice)
        try csv.raw(discount)
        try csv.raw(stores.ids[store])
        try csv.raw(OrderSimulator.channels[channel])
        try csv.raw(earned)
        try csv.raw(spent)
        try csv.endRow()
        linesWritten += 1
    }

    /// Kinds 1-5: an extra line of the order just written, wrong in exactly one way.
    private mutating func writePlanted(_ row: PlantedRow) throws {
        var orderId: String? = context.orderId
        var timestamp = context.timestamp
        var product = catalog.ids[context.product]
        var quantity = "1"
        var unitPrice = Text.money(context.unitCents)
        switch row.kind {
        case .unknownProduct:
            product = Text.identifier(UInt8(ascii: "P"), unknownProductBase + row.ordinal, width: catalog.idWidth)
            unitPrice = Text.money(99 + badRandom.below(20) * 100)
        case .wordQuantity: quantity = "two"
        case .impossibleTimestamp: timestamp = "2026-13-45T10:00:00Z"
        case .missingOrderId: orderId = nil
        case .tooPrecisePrice: unitPrice = "1.23456"
        default: return
        }
        try writeLine(
            orderId: orderId, customerId: context.customerId, timestamp: timestamp, product: product,
            quantity: quantity, unitPrice: unitPrice, discount: nil, store: context.store, channel: context.channel,
            earned: nil, spent: nil)
    }
}
