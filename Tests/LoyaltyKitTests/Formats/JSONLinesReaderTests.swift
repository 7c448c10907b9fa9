import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct JSONLinesReaderTests {
    @Test func numbersKeepTheirLiteralText() throws {
        var text = #"{"price": 3.10, "n": -2, "s": "a\"b\u00e9\n", "ok": true, "x": null, "deep": {"a": [1, {"b": 2}]}}"#
        let value = try text.withUTF8 { try JSONValue.parse($0) }
        #expect(value["price"] == .number("3.10"))
        #expect(value["n"] == .number("-2"))
        #expect(value["s"] == .string("a\"bé\n"))
        #expect(value["ok"] == .bool(true))
        #expect(value["x"] == .null)
    }

    @Test func malformedJSONIsASyntaxError() {
        for bad in [#"{"a": }"#, #"{"a" 1}"#, #"{"a": "unterminated}"#, "[1,2", #"{"a": 1} extra"#] {
            var text = bad
            #expect(throws: JSONSyntaxError.self) { try text.withUTF8 { try JSONValue.parse($0) } }
        }
    }

    @Test func nestedLinesBecomeOneRecordEachWithOrderFields() throws {
        let path = try temporaryFolder() + "/t.jsonl"
        try write("""
            {"order_id":"A1","customer_id":"C9","ordered_at":"2026-11-01T10:00:00Z","channel":"web","lines":[{"product_id":"P1","quantity":2,"unit_price":"3.50"},{"product_id":"P2","quantity":1,"unit_price":1.25}]}

            not json
            {"order_id":"A2","product_id":"P1","quantity":1,"unit_price":"3.50","ordered_at":"2026-11-02"}
            """, to: path)
        let columns = ["order_id", "customer_id", "product_id", "quantity", "unit_price", "channel"]
        var rows: [(Int, Int?, [String?])] = []
        var invalid: [(Int, String)] = []
        let (source, _) = try openByteSource(path: path)
        try JSONLinesReader(source: source, path: path).read(columns: columns, nestedKey: "lines", { record in
            rows.append((record.line, record.nestedIndex, (0..<columns.count).map { record.string($0) }))
        }, invalid: { line, _, reason in invalid.append((line, reason)) })
        #expect(rows.count == 3)
        #expect(rows[0].0 == 1 && rows[0].1 == 0)
        #expect(rows[0].2 == ["A1", "C9", "P1", "2", "3.50", "web"])
        #expect(rows[1].2 == ["A1", "C9", "P2", "1", "1.25", "web"])
        #expect(rows[2].0 == 4 && rows[2].1 == nil)
        #expect(invalid.count == 1 && invalid[0].0 == 3)
    }
}
