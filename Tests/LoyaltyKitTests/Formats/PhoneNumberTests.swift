import Testing
@testable import LoyaltyKit

/// E.164 from what customers type: international and national numbers, separators, and the
/// country rules that complete a national number.
@Suite struct PhoneNumberTests {
    static let germany = PhoneRules(countryCode: "49")

    @Test(arguments: [
        ("+49 30 1234567", "+49301234567"),
        ("+49 (0)30 1234567", "+49301234567"),
        ("0049 30 1234567", "+49301234567"),
        ("0049 (0)30 1234567", "+49301234567"),
        ("030 / 123 456-7", "+49301234567"),
        ("(030) 1234567", "+49301234567"),
        ("0151.2345.6789", "+4915123456789"),
        ("  0168 72659884 ", "+4916872659884"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+4915123456789", "+4915123456789"),
        ("+49 123 4567", "+491234567"),
    ])
    func numbersBecomeE164(input: String, stored: String) {
        #expect(PhoneNumber.normalized(input, rules: Self.germany) == .success(stored))
    }

    @Test(arguments: [
        ("", AddressProblem.empty),
        ("+49 30 12a4567", .phoneCharacter("a")),
        ("+49 30 1234567 ext. 12", .phoneCharacter("e")),
        ("=+49301234567", .phoneCharacter("=")),
        ("+49 30 1234567\u{00A0}", .phoneCharacter("\u{00A0}")),
        ("49+301234567", .misplacedPlus),
        ("++49301234567", .misplacedPlus),
        ("+49 12 345", .digitCount(7)),
        ("+49 1234 5678 9012 3456", .digitCount(18)),
        ("+0 301234567", .countryCodeZero),
        ("000 301234567", .countryCodeZero),
        ("0 30", .digitCount(4)),
    ])
    func invalidNumbersSayWhy(input: String, problem: AddressProblem) {
        #expect(PhoneNumber.normalized(input, rules: Self.germany) == .failure(problem))
    }

    @Test func nationalNumbersFollowTheCountryRules() {
        // No country code configured: a national number cannot be completed.
        #expect(PhoneNumber.normalized("030 1234567", rules: PhoneRules()) == .failure(.nationalWithoutCountryCode))
        #expect(PhoneNumber.normalized("+49 30 1234567", rules: PhoneRules()) == .success("+49301234567"))
        // The US: trunk prefix 1, international prefix 011.
        let us = PhoneRules(countryCode: "1", trunkPrefix: "1", internationalPrefix: "011")
        #expect(PhoneNumber.normalized("1 415 555 2671", rules: us) == .success("+14155552671"))
        #expect(PhoneNumber.normalized("(415) 555-2671", rules: us) == .success("+14155552671"))
        #expect(PhoneNumber.normalized("011 49 30 1234567", rules: us) == .success("+49301234567"))
        #expect(PhoneNumber.normalized("011 49 (0)30 1234567", rules: us) == .success("+49301234567"))
        // (0) goes only right after the country code: further on it is a digit of the number.
        #expect(PhoneNumber.normalized("+49 30 (0)1234567", rules: Self.germany) == .success("+493001234567"))
        // Italy keeps the leading 0 of its numbers: no trunk prefix.
        let italy = PhoneRules(countryCode: "39", trunkPrefix: "")
        #expect(PhoneNumber.normalized("06 1234 5678", rules: italy) == .success("+390612345678"))
        // 15 digits is the most E.164 allows, 8 the fewest taken here.
        #expect(PhoneNumber.normalized("+123456789012345", rules: PhoneRules()) == .success("+123456789012345"))
        #expect(PhoneNumber.normalized("+1234567890123456", rules: PhoneRules()) == .failure(.digitCount(16)))
        #expect(PhoneNumber.normalized("+12345678", rules: PhoneRules()) == .success("+12345678"))
    }
}
