import Testing
@testable import LoyaltyKit

/// The accepted subset of RFC 5321, address by address: what is stored, and why the rest is not.
@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("anna@example.com", "anna@example.com"),
        ("  Anna.Berg@Example.COM ", "Anna.Berg@example.com"),
        ("o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"),
        ("x@xn--mnchen-3ya.de", "x@xn--mnchen-3ya.de"),
        ("a_b-c@sub-domain.example.org", "a_b-c@sub-domain.example.org"),
        ("{x}|y=z@example.com", "{x}|y=z@example.com"),
        ("\t9@example.io\t", "9@example.io"),
    ])
    func validAddressesAreStoredWithALowercaseDomain(input: String, stored: String) {
        #expect(EmailAddress.normalized(input) == .success(stored))
    }

    @Test(arguments: [
        ("", AddressProblem.empty),
        ("   ", .empty),
        ("anna.example.com", .noAt),
        ("a@b@example.com", .moreThanOneAt),
        ("@example.com", .emptyLocalPart),
        ("anna@", .emptyDomain),
        ("anna@localhost", .domainWithoutDot),
        ("anna@example.c", .badTopLevelDomain("c")),
        ("anna@1.2.3.4", .badTopLevelDomain("4")),
        ("anna@-example.com", .badDomainLabel("-example")),
        ("anna@example-.com", .badDomainLabel("example-")),
        ("anna@exa_mple.com", .badDomainLabel("exa_mple")),
        ("anna@example..com", .badDomainLabel("")),
        ("an na@example.com", .spaceOrControl),
        ("anna@example.com\n", .spaceOrControl),
        ("anna\u{0}@example.com", .spaceOrControl),
        (".anna@example.com", .misplacedDot),
        ("anna.@example.com", .misplacedDot),
        ("an..na@example.com", .misplacedDot),
        ("=cmd|'/C calc'!A0@example.com", .formulaLeader("=")),
        ("=1+1@example.com", .formulaLeader("=")),
        ("+49@example.com", .formulaLeader("+")),
        ("-x@example.com", .formulaLeader("-")),
        ("jörg@example.de", .nonASCII),
        ("anna@exämple.de", .nonASCII),
        ("a\"b@example.com", .notAllowed("\"")),
        ("a(b)@example.com", .notAllowed("(")),
        ("Anna <anna@example.com>", .spaceOrControl),
    ])
    func invalidAddressesSayWhy(input: String, problem: AddressProblem) {
        #expect(EmailAddress.normalized(input) == .failure(problem))
    }

    @Test func lengthLimits() {
        let local64 = String(repeating: "a", count: 64)
        #expect(EmailAddress.normalized(local64 + "@example.com") == .success(local64 + "@example.com"))
        #expect(EmailAddress.normalized(local64 + "a@example.com") == .failure(.localPartTooLong(bytes: 65, maximum: 64)))
        // 254 bytes in all is the most: "a@" (2) + three labels of 61 + one of 62 + "com" + 4 dots = 254.
        let label = String(repeating: "b", count: 61)
        let domain254 = [label, label, label, String(repeating: "c", count: 62), "com"].joined(separator: ".")
        #expect(("a@" + domain254).utf8.count == 254)
        #expect(EmailAddress.normalized("a@" + domain254) == .success("a@" + domain254))
        #expect(EmailAddress.normalized("ab@" + domain254) == .failure(.tooLong(bytes: 255, maximum: 254)))
        #expect(EmailAddress.normalized("a@" + String(repeating: "d", count: 64) + ".com") == .failure(.badDomainLabel(String(repeating: "d", count: 64))))
    }

    @Test func theReasonReadsAfterTheValue() {
        #expect(AddressProblem.noAt.description == "has no '@'")
        #expect(AddressProblem.formulaLeader("=").description == "starts with '=', which spreadsheets run as a formula")
    }
}
