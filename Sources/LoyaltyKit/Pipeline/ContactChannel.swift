/// One way of reaching a customer, from `channels:` in the pipeline file: which consent it needs,
/// which address it sends to, the feed it writes and its contact cap.
///
/// `email`, `sms` and `push` are built in; a pipeline file may change any of their keys and add
/// channels of its own, such as `card` (a coupon shown at the till when the loyalty card is
/// scanned: no marketing consent, the customer id is the address).
public struct ContactChannel: Equatable, Sendable {
    /// `[a-z][a-z0-9_]*`: it names the feed file and is stored with every offer.
    public var name: String
    /// The customers.csv consent the channel needs; nil: none.
    public var consent: Consent?
    public var address: Address
    public var format: FeedFormat
    /// Template fields after the recipient columns; nil: `offers.feed_fields`.
    public var fields: [OffersConfig.FeedField]?
    /// Offers per customer on this channel within `offers.contact_window_days`; nil: no cap.
    public var cap: Int?

    public init(name: String, consent: Consent?, address: Address, format: FeedFormat, fields: [OffersConfig.FeedField]? = nil, cap: Int?) {
        self.name = name
        self.consent = consent
        self.address = address
        self.format = format
        self.fields = fields
        self.cap = cap
    }

    public enum Consent: String, Equatable, Sendable, CaseIterable {
        case email = "consent_email", sms = "consent_sms", push = "consent_push"
    }

    /// What a feed row is addressed to. `email` and `phone` must be valid (see `EmailAddress`,
    /// `PhoneNumber`); `customer_id` is the loyalty card or account; `none` (push): the sending
    /// system knows the customer's device by their id.
    public enum Address: String, Equatable, Sendable, CaseIterable {
        case email, phone, customerId = "customer_id", none
    }

    public enum FeedFormat: String, Equatable, Sendable, CaseIterable {
        case csv, jsonl
    }

    /// Channels a mask can hold (masks of suppressed channels are 32 bits).
    public static let maximumCount = 32

    /// email, sms and push as before channels were configurable.
    public static let builtIn: [ContactChannel] = [
        ContactChannel(name: "email", consent: .email, address: .email, format: .csv, cap: 4),
        ContactChannel(name: "sms", consent: .sms, address: .phone, format: .csv, cap: 2),
        ContactChannel(name: "push", consent: .push, address: .none, format: .jsonl, cap: 8),
    ]

    /// The feed file, under the output folder.
    public var feedFile: String { "feeds/\(name).\(format.rawValue)" }

    /// The column (or JSON key) that holds the address in the feed; nil when the feed has none
    /// besides customer_id.
    var addressColumn: String? {
        switch address {
        case .email, .phone: return address.rawValue
        case .customerId, .none: return nil
        }
    }

    /// `channels:`: the built-in channels with the keys the file changes, then the file's own
    /// channels in file order.
    static func parse(_ map: inout YAMLMapping) throws -> [ContactChannel] {
        var channels = builtIn
        for name in map.keys {
            guard name.first.map({ $0 >= "a" && $0 <= "z" }) == true, name.count <= 32,
                  name.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }) else {
                throw map.fail(name, "a channel name is a lower-case letter, then letters, digits or '_' (at most 32): it names the feed file")
            }
            let known = channels.firstIndex { $0.name == name }
            guard var definition = try map.mapping(name) else {
                if known != nil { continue }
                throw map.fail(name, "a new channel needs at least consent and address, e.g. {consent: none, address: customer_id}")
            }
            var channel = known.map { channels[$0] } ?? ContactChannel(name: name, consent: nil, address: .none, format: .csv, cap: nil)
            if let consent = try definition.string("consent") {
                if consent == "none" {
                    channel.consent = nil
                } else if let parsed = Consent(rawValue: consent) {
                    channel.consent = parsed
                } else {
                    throw definition.fail("consent", "expected none or one of \(Consent.allCases.map(\.rawValue).joined(separator: ", ")); got '\(consent)'")
                }
            } else if known == nil {
                throw definition.fail("consent", "a new channel says which consent it needs: none or one of \(Consent.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let address = try definition.string("address") {
                guard let parsed = Address(rawValue: address) else {
                    throw definition.fail("address", "expected one of \(Address.allCases.map(\.rawValue).joined(separator: ", ")); got '\(address)'")
                }
                channel.address = parsed
            } else if known == nil {
                throw definition.fail("address", "a new channel says where it sends: one of \(Address.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let format = try definition.string("format") {
                guard let parsed = FeedFormat(rawValue: format) else { throw definition.fail("format", "expected csv or jsonl; got '\(format)'") }
                channel.format = parsed
            }
            if let nodes = try definition.sequence("fields") {
                channel.fields = try OffersConfig.FeedField.parse(nodes, in: definition, key: "fields")
            }
            if let capNode = definition.node("cap") {
                if capNode.string == "none" {
                    channel.cap = nil
                } else if let cap = capNode.int, (0...10_000).contains(cap) {
                    channel.cap = cap
                } else {
                    throw definition.fail("cap", "expected none or a whole number in 0…10000, got '\(capNode.string ?? "?")'")
                }
            }
            try definition.rejectUnknownKeys()
            if let known { channels[known] = channel } else { channels.append(channel) }
        }
        guard channels.count <= maximumCount else {
            throw map.fail(map.keys.last ?? "", "at most \(maximumCount) channels")
        }
        return channels
    }

    /// `channels.NAME=…` lines of the config digest.
    static func canonicalLines(_ channels: [ContactChannel]) -> [String] {
        channels.map { channel in
            "channels.\(channel.name)=\(channel.consent?.rawValue ?? "none")|\(channel.address.rawValue)|\(channel.format.rawValue)|"
                + "\(channel.fields.map { $0.map(\.rawValue).joined(separator: ",") } ?? "default")|\(channel.cap.map(String.init) ?? "none")"
        }
    }
}
