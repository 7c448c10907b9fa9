import Foundation

/// The run's output folder (`out/AS_OF/`). Stages write into a hidden staging folder inside it;
/// only when the whole run has succeeded is each file renamed into place, so a failed run leaves
/// the previous run's outputs untouched and a reader never sees a half-written file.
public final class OutputFolder {
    public let directory: String
    let staging: String
    /// File name (relative to `directory`) → data rows written. Stages write files from several
    /// threads at once, so the record is behind a lock.
    public var files: [String: Int] { lock.withLock { rowsByFile } }
    private var rowsByFile: [String: Int] = [:]
    private let lock = NSLock()

    /// - Parameter clearingEarlierRuns: remove the staging folders of earlier runs, which only a
    ///   run killed outright leaves behind (they may hold feeds: personal data). Only for a caller
    ///   holding the run lock, so no earlier run is still writing.
    public init(directory: String, runKey: Int64, clearingEarlierRuns: Bool = false) throws {
        self.directory = directory
        staging = (directory as NSString).appendingPathComponent(".staging-run-\(runKey)")
        if clearingEarlierRuns, let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for entry in entries where entry.hasPrefix(".staging-run-") {
                guard let key = Int64(entry.dropFirst(".staging-run-".count)), key < runKey else { continue }
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw LoyaltyError.io(path: directory, message: "cannot create the output folder: \(error.localizedDescription)")
        }
    }

    /// Creates `name` (which may hold subfolders, e.g. `feeds/email.csv`) in the staging folder.
    public func create(_ name: String, mode: mode_t = 0o644) throws -> FileOutput {
        let path = (staging as NSString).appendingPathComponent(name)
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        record(name, rows: 0)
        return try FileOutput(path: path, mode: mode)
    }

    /// Records the data rows of a file written through `create`.
    public func recordRows(_ name: String, _ rows: Int) { record(name, rows: rows) }

    private func record(_ name: String, rows: Int) {
        lock.withLock { rowsByFile[name] = rows }
    }

    /// Writes a CSV output: a header, then whatever `body` writes; text cells are formula-escaped.
    @discardableResult
    public func writeCSV(_ name: String, header: [String], mode: mode_t = 0o644, _ body: (CSVWriter) throws -> Void) throws -> Int {
        let file = try create(name, mode: mode)
        let csv = CSVWriter(to: file, escapeFormulas: true)
        try csv.row(header)
        try body(csv)
        try file.close()
        record(name, rows: csv.rowsWritten - 1)
        return csv.rowsWritten - 1
    }

    /// Writes a whole small file (JSON, HTML) at once.
    public func write(_ name: String, text: String, rows: Int = 0, mode: mode_t = 0o644) throws {
        let file = try create(name, mode: mode)
        try file.write(text)
        try file.close()
        record(name, rows: rows)
    }

    /// Moves every staged file into place by rename (atomic per file). The files they replace are
    /// set aside first; if any move fails, the ones already made are undone, so the folder never
    /// mixes two runs.
    public func commit() throws {
        let manager = FileManager.default
        let backup = (staging as NSString).appendingPathComponent(".replaced")
        var done: [(target: String, previous: String?)] = []
        do {
            for name in files.keys.sorted() {
                let source = (staging as NSString).appendingPathComponent(name)
                let target = (directory as NSString).appendingPathComponent(name)
                try? manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                var previous: String?
                if manager.fileExists(atPath: target) {
                    let saved = (backup as NSString).appendingPathComponent(name)
                    try? manager.createDirectory(atPath: (saved as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try move(target, to: saved)
                    previous = saved
                }
                done.append((target, previous))
                try move(source, to: target)
            }
        } catch {
            for (target, previous) in done.reversed() {
                try? manager.removeItem(atPath: target)
                if let previous { try? move(previous, to: target) }
            }
            throw error
        }
        try? manager.removeItem(atPath: staging)
    }

    private func move(_ source: String, to target: String) throws {
        guard rename(source, target) == 0 else {
            throw LoyaltyError.io(path: target, message: "cannot move the new output into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Drops everything staged: the previous outputs stay as they were.
    public func discard() {
        try? FileManager.default.removeItem(atPath: staging)
    }
}
