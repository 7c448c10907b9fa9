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
}
