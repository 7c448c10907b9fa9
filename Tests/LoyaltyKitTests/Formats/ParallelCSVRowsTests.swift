import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct ParallelCSVRowsTests {
    struct Planted: Error {}

    static func row(_ index: Int, _ csv: CSVWriter) throws {
        try csv.integer(index)
        try csv.text(index % 7 == 0 ? "=x\(index)" : "p,\(index)")
        try csv.real(Double(index) / 3)
        try csv.endRow()
    }

    func written(_ body: (CSVWriter) throws -> Void) throws -> (String, Int) {
        let path = try temporaryFolder() + "/rows.csv"
        let file = try FileOutput(path: path)
        let csv = CSVWriter(to: file, escapeFormulas: true)
        try body(csv)
        try file.close()
        return (try String(contentsOfFile: path, encoding: .utf8), csv.rowsWritten)
    }

    /// Two helper threads and the owner format chunks in any interleaving; the file holds the
    /// rows in order, byte for byte as one thread writes them.
    @Test func helpersChangeNothingInTheBytes() throws {
        let count = 100_003
        let (serial, serialRows) = try written { csv in
            for index in 0..<count { try Self.row(index, csv) }
        }
        let rows = ParallelCSVRows(rows: count, rowsPerChunk: 1_000, maximumAhead: 2, formatRow: Self.row)
        let helpers = (0..<2).map { _ in WorkerThread(name: "helper") { rows.help() } }
        let (parallel, parallelRows) = try written { csv in try rows.write(to: csv) }
        for helper in helpers { try helper.result() }
        #expect(serialRows == count && parallelRows == count)
        #expect(parallel == serial)
        #expect(parallel.hasPrefix("0,'=x0,0.0\n1,\"p,1\",0.3333333333333333\n"))
        #expect(parallel.contains("\n7,'=x7,2.3333333333333335\n"))
    }

    @Test func noRowsWritesNothing() throws {
        let rows = ParallelCSVRows(rows: 0, formatRow: Self.row)
        rows.help()
        #expect(try written { try rows.write(to: $0) } == ("", 0))
    }

    /// A row that fails stops the helpers and the owner reports the error.
    @Test func aFailingRowFailsTheWrite() throws {
        let rows = ParallelCSVRows(rows: 50_000, rowsPerChunk: 500, maximumAhead: 2) { index, csv in
            if index == 20_123 { throw Planted() }
            try Self.row(index, csv)
        }
        let helper = WorkerThread(name: "helper") { rows.help() }
        #expect(throws: Planted.self) { _ = try written { try rows.write(to: $0) } }
        try helper.result()
    }
}
