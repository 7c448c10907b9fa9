import Foundation

/// Formats the rows of one large CSV output on several threads and writes them in order.
///
/// Formatting numbers is most of the cost of a large output, and the thread that owns the file
/// should not do it alone once other threads are done with their own work: any thread may call
/// `help()` to format chunks of rows into memory. Chunks are claimed in row order and the owner
/// (`write(to:)`, which formats chunks too) appends them in that order, so the bytes are exactly
/// those of a single-threaded write. At most `maximumAhead` chunks wait in memory.
///
///     let rows = ParallelCSVRows(rows: pairs.count) { row, csv in try csv.integer(pairs[row]); try csv.endRow() }
///     let owner = WorkerThread(name: "csv") { try outputs.writeCSV(name, header: header) { try rows.write(to: $0) } }
///     doOtherWork(); rows.help(); try owner.result()
public final class ParallelCSVRows {
    private let rowCount: Int
    private let rowsPerChunk: Int
    private let maximumAhead: Int
    private let escapeFormulas: Bool
    private let formatRow: (Int, CSVWriter) throws -> Void
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var nextToClaim = 0
    private var nextToWrite = 0
    private var formatted: [Int: CSVWriter] = [:]
    private var spare: [CSVWriter] = []
    private var failure: Error?

    private var chunkCount: Int { (rowCount + rowsPerChunk - 1) / rowsPerChunk }

    /// - Parameter formatRow: writes row `index` (a whole row, `endRow()` included); called on any thread.
    public init(rows: Int, rowsPerChunk: Int = 16_384, maximumAhead: Int = 4, escapeFormulas: Bool = true,
                formatRow: @escaping (Int, CSVWriter) throws -> Void) {
        precondition(rowsPerChunk > 0 && maximumAhead > 0)
        rowCount = rows
        self.rowsPerChunk = rowsPerChunk
        self.maximumAhead = maximumAhead
        self.escapeFormulas = escapeFormulas
        self.formatRow = formatRow
    }

    /// Formats chunks until none is left to claim (or the write failed; the owner reports it).
    public func help() {
        while true {
            condition.lock()
            while failure == nil && nextToClaim < chunkCount && nextToClaim - nextToWrite >= maximumAhead {
                condition.wait()
            }
            guard failure == nil, nextToClaim < chunkCount else {
                condition.unlock()
                return
            }
            let (chunk, rows) = claimLocked()
            condition.unlock()
            guard (try? format(chunk, into: rows)) != nil else { return }
        }
    }

    /// Appends every row to `csv` in order, formatting chunks itself whenever no formatted chunk
    /// is waiting; returns when all rows are written. Call it on exactly one thread.
    public func write(to csv: CSVWriter) throws {
        condition.lock()
        defer { condition.unlock() }
        while nextToWrite < chunkCount {
            if let failure { throw failure }
            if let rows = formatted.removeValue(forKey: nextToWrite) {
                condition.unlock()
                do {
                    try csv.append(rows)
                } catch {
                    fail(error)
                    condition.lock()
                    throw error
                }
                condition.lock()
                spare.append(rows)
                nextToWrite += 1
                condition.broadcast()
            } else if nextToClaim < chunkCount && nextToClaim - nextToWrite < maximumAhead {
                let (chunk, rows) = claimLocked()
                condition.unlock()
                do {
                    try format(chunk, into: rows)
                } catch {
                    condition.lock()
                    throw error
                }
                condition.lock()
            } else {
                // The next chunk to write is being formatted by a helper.
                condition.wait()
            }
        }
    }

    private func claimLocked() -> (Int, CSVWriter) {
        let chunk = nextToClaim
        nextToClaim += 1
        return (chunk, spare.popLast() ?? CSVWriter.inMemory(escapeFormulas: escapeFormulas))
    }

    /// Formats one chunk and hands it to the writer; a failure is recorded for every thread to see.
    private func format(_ chunk: Int, into rows: CSVWriter) throws {
        do {
            for row in (chunk * rowsPerChunk)..<min(rowCount, (chunk + 1) * rowsPerChunk) {
                try formatRow(row, rows)
            }
        } catch {
            fail(error)
            throw error
        }
        condition.lock()
        formatted[chunk] = rows
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }
}
