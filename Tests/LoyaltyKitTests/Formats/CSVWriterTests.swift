import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct CSVWriterTests {
    func written(_ body: (CSVWriter) throws -> Void) throws -> String {
        let path = try temporaryFolder() + "/out.csv"
        let file = try FileOutput(path: path)
        try body(CSVWriter(to: file, escapeFormulas: true))
        try file.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func quotesOnlyWhatNeedsQuoting() throws {
        let text = try written { csv in
            try csv.row(["plain", "a,b", "say \"hi\"", "two\nlines", nil, ""])
        }
        #expect(text == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\n")
    }

    @Test func textCellsAreEscapedAgainstFormulasNumbersAreNot() throws {
        let text = try written { csv in
            for cell in ["=1+1", "+49 30", "-x", "@SUM(A1)", "\tTab", "\rCR", "ok"] { try csv.text(cell) }
            try csv.raw("-3.50")
            try csv.endRow()
        }
        #expect(text == "'=1+1,'+49 30,'-x,'@SUM(A1),'\tTab,\"'\rCR\",ok,-3.50\n")
    }

    @Test func roundTripsThroughTheReader() throws {
        let cells = ["x, y", "q\"uote", "multi\r\nline", "ünïcödé"]
        let path = try temporaryFolder() + "/rt.csv"
        let file = try FileOutput(path: path)
        let csv = CSVWriter(to: file, escapeFormulas: false)
        try csv.row(["a", "b", "c", "d"])
        try csv.row(cells)
        try file.close()
        let (source, _) = try openByteSource(path: path)
        var read: [String?] = []
        try CSVReader(source: source, path: path).read(columns: ["a", "b", "c", "d"], required: []) { record in
            read = (0..<4).map { record.string($0) }
        }
        #expect(read == cells)
    }

    @Test func realsAreWrittenExactlyAsTheirShortestDescription() throws {
        var generator = SplitMix64(seed: 7)
        var values: [Double] = [0, -0.0, 1, 2, 0.1, 1.0 / 3, 1e-05, 123456789012345680, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                -2.2250738585072014e-308, .infinity, -.infinity, .nan]
        // Random bit patterns cover every exponent; random ratios look like the pairs stage's cells.
        for _ in 0..<100_000 {
            values.append(Double(bitPattern: generator.next()))
            values.append(Double(generator.next() % 1_000_000 + 1) / Double(generator.next() % 10_000_000 + 1))
        }
        let text = try written { csv in
            for value in values {
                try csv.real(value)
                try csv.endRow()
            }
        }
        let expected = values.map { $0.description + "\n" }.joined()
        #expect(text == expected)
        #expect(text.hasPrefix("0.0\n-0.0\n1.0\n2.0\n0.1\n0.3333333333333333\n1e-05\n1.2345678901234568e+17\n5e-324\n"))
    }

    @Test func largeWritesAcrossTheBufferBoundaryKeepEveryByte() throws {
        let path = try temporaryFolder() + "/big.txt"
        let file = try FileOutput(path: path)
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 700_000)
        try block.withUnsafeBufferPointer { try file.write(bytes: $0) }
        try [UInt8](repeating: UInt8(ascii: "y"), count: 3_000_000).withUnsafeBufferPointer { try file.write(bytes: $0) }
        try file.write(byte: UInt8(ascii: "z"))
        try file.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == 3_700_001)
        #expect(data.prefix(700_000).allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(data.dropFirst(700_000).prefix(3_000_000).allSatisfy { $0 == UInt8(ascii: "y") })
        #expect(data.last == UInt8(ascii: "z"))
    }
}
