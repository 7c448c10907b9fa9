import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct JSONStringTests {
    /// Quote, backslash and control characters are escaped; everything else, UTF-8 included, passes.
    @Test func escapesWhatRFC8259Requires() throws {
        let text = "Müller \"the\" \\ tab\there\nnew\r\u{01}end"
        let quoted = JSONString.quoted(text)
        #expect(quoted == "\"Müller \\\"the\\\" \\\\ tab\\there\\nnew\\r\\u0001end\"")
        // It reads back as the same text.
        let decoded = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: [.fragmentsAllowed]) as? String
        #expect(decoded == text)
        #expect(JSONString.quoted("") == "\"\"")
    }
}
