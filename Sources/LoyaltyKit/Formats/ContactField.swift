/// The two address fields of a customer and how each is checked.
enum ContactField: String, CaseIterable {
    case email, phone

    /// Names the rules an address was judged by: an issue judged by other rules is checked again.
    /// The leading number goes up when a software change alters what is valid.
    static func rulesFingerprint(_ rules: PhoneRules) -> String { "1|\(rules.countryCode ?? "")|\(rules.trunkPrefix)|\(rules.internationalPrefix)" }

    /// Room for the stored form of either field.
    static let maximumBytes = max(EmailAddress.maximumBytes, PhoneNumber.maximumBytes)

    /// Writes the stored form of `bytes` into `output` and returns its length, or the problem.
    func normalize(_ bytes: UnsafeBufferPointer<UInt8>, rules: PhoneRules, into output: UnsafeMutableBufferPointer<UInt8>) -> Result<Int, AddressProblem> {
        switch self {
        case .email: return EmailAddress.normalize(bytes, into: output)
        case .phone: return PhoneNumber.normalize(bytes, rules: rules, into: output)
        }
    }

    func normalized(_ text: String, rules: PhoneRules) -> Result<String, AddressProblem> {
        switch self {
        case .email: return EmailAddress.normalized(text)
        case .phone: return PhoneNumber.normalized(text, rules: rules)
        }
    }
}
