import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct CSVReaderTests {
    /// Reads `text` through the CSV reader with a tiny chunk size, so every field and quote
    /// straddles a chunk boundary somewhere.
    func read(_ text: String, columns: [String], required: Set<String> = [], chunk: Int = 3) throws -> [(line: Int, fields: [String?], count: Int)] {
        let folder = try temporaryFolder()
        let path = folder + "/in.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var rows: [(Int, [String?], Int)] = []
        let (source, _) = try openByteSource(path: path)
        try CSVReader(source: source, path: path, chunkSize: chunk).read(columns: columns, required: required) { record in
            rows.append((record.line, (0..<columns.count).map { record.string($0) }, record.fieldsInRow))
        }
        return rows
    }

    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        // Given a row whose fields hold a comma, doubled quotes and a line break
        let rows = try read("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nplain,2,3\n", columns: ["a", "b", "c"])
        // Then each field is unescaped and the next row starts on physical line 4
        #expect(rows.count == 2)
        #expect(rows[0].fields == ["x, y", "say \"hi\"", "two\nlines"])
        #expect(rows[0].line == 2)
        #expect(rows[1].fields == ["plain", "2", "3"])
        #expect(rows[1].line == 4)
    }

    @Test(arguments: [1, 2, 3, 7, 1 << 20])
    func chunkBoundariesDoNotMatter(chunk: Int) throws {
        let text = "\u{FEFF}id,name\r\n1,\"Anna \"\"A\"\", Berlin\"\r\n\r\n2,Bob\r\n3,\"multi\r\nline\"\r\n"
        let rows = try read(text, columns: ["id", "name"], chunk: chunk)
        #expect(rows.map(\.fields) == [["1", "Anna \"A\", Berlin"], ["2", "Bob"], ["3", "multi\r\nline"]])
        #expect(rows.map(\.line) == [2, 4, 5])
    }

    @Test(arguments: [1, 2, 3, 1 << 20])
    func byteOrderMarkBeforeAQuotedHeader(chunk: Int) throws {
        let rows = try read("\u{FEFF}\"id\",\"name, full\"\n1,\"A, B\"\n", columns: ["id", "name, full"], required: ["id"], chunk: chunk)
        #expect(rows.map(\.fields) == [["1", "A, B"]])
    }

    @Test func columnsMatchedByNameInAnyOrderUnknownIgnored() throws {
        let rows = try read("extra,B,a\nzz,2,1\n", columns: ["a", "b", "c"])
        #expect(rows.map(\.fields) == [["1", "2", nil]])
        #expect(rows[0].count == 3)
    }

    @Test func lastRowWithoutNewlineAndTrailingEmptyField() throws {
        let rows = try read("a,b\n1,\n2,x", columns: ["a", "b"])
        #expect(rows.map(\.fields) == [["1", nil], ["2", "x"]])
        #expect(rows.map(\.count) == [2, 2])
    }

    @Test func missingRequiredColumnFailsTheFile() throws {
        #expect(throws: LoyaltyError.self) { try read("a,c\n1,2\n", columns: ["a", "b"], required: ["b"]) }
        do {
            _ = try read("a,c\n1,2\n", columns: ["a", "b"], required: ["b"])
        } catch let LoyaltyError.unreadableInput(_, line, message) {
            #expect(line == 1)
            #expect(message.contains("missing required column(s) b"))
        }
    }

    @Test func duplicatedColumnFailsTheFile() throws {
        #expect(throws: LoyaltyError.self) { try read("a,a\n1,2\n", columns: ["a"]) }
    }

    @Test func unterminatedQuoteFailsWithItsLine() throws {
        do {
            _ = try read("a,b\n1,2\n3,\"never closed\n4,5\n", columns: ["a", "b"])
            Issue.record("expected an error")
        } catch let LoyaltyError.unreadableInput(_, line, message) {
            #expect(line == 3)
            #expect(message.contains("never closed"))
        }
    }

    @Test func invalidUTF8FailsTheFile() throws {
        let folder = try temporaryFolder()
        let path = folder + "/latin1.csv"
        try Data([0x61, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path)) // "a\ncafé" in Latin-1
        let (source, _) = try openByteSource(path: path)
        do {
            try CSVReader(source: source, path: path).read(columns: ["a"], required: []) { _ in }
            Issue.record("expected an error")
        } catch let LoyaltyError.unreadableInput(_, line, message) {
            #expect(line == 2)
            #expect(message.contains("UTF-8"))
        }
    }

    @Test func emptyFileNeedsAHeader() throws {
        #expect(throws: LoyaltyError.self) { try read("", columns: ["a"]) }
    }

    @Test func rawRowIsReencodedForRejects() throws {
        let folder = try temporaryFolder()
        let path = folder + "/in.csv"
        try write("a,b\n\"x,1\",\"q\"\"\"\n", to: path)
        let (source, _) = try openByteSource(path: path)
        var raw = ""
        try CSVReader(source: source, path: path).read(columns: ["a", "b"], required: []) { raw = $0.raw }
        #expect(raw == "\"x,1\",\"q\"\"\"")
    }
}
