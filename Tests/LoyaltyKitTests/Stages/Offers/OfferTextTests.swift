import Testing
@testable import LoyaltyKit

/// Offer texts made straight into bytes read as the same sentences a `String` would.
@Suite struct OfferTextTests {
    @Test func interpolatedFiguresAreFormattedLikeTheReports() {
        let day = CivilDate.parse("2026-03-07")!
        let text: OfferText = "on \(date: day), \(percent: 0.3451) and \(percent: 0.005), \(decimal: 2.136) \(decimal: -0.5) \(decimal: 7), "
            + "\(money: 12_3450) \(money: -5_0000) \(-42) \(0) \(true) \("Crème brûlée")"
        #expect(text.description == "on 2026-03-07, 35% and 1%, 2.14 -0.50 7.00, 12.35 -5.00 -42 0 true Crème brûlée")
        let early: OfferText = "\(date: CivilDate.parse("0999-01-02")!)"
        #expect(early.description == "0999-01-02")
    }

    @Test func csvCellsOfTextBytesAreQuotedAndEscapedAsStrings() throws {
        for text in ["plain", "a, b", "say \"hi\"", "=1+1", "-2, or \"3\"", "line\nbreak", ""] {
            var copy = text
            let viaBytes = try csvRow { csv in try copy.withUTF8 { try csv.text(bytes: $0) } }
            #expect(try viaBytes == csvRow { try $0.text(text) }, "\(text)")
        }
        var formula = "-2, or \"3\""
        #expect(try csvRow { csv in try formula.withUTF8 { try csv.text(bytes: $0) } } == "\"'-2, or \"\"3\"\"\"\n")
    }

    @Test func everyTypeHasItsGenerator() {
        for (position, type) in OfferType.allCases.enumerated() {
            #expect(type.ordinal == position)
            #expect(OfferGenerators.generator(of: type).type == type)
        }
    }

    private func csvRow(_ write: (CSVWriter) throws -> Void) throws -> String {
        let output = FileOutput.inMemory()
        let csv = CSVWriter(to: output, escapeFormulas: true)
        try write(csv)
        try csv.endRow()
        return String(decoding: output.contents, as: UTF8.self)
    }
}
