import Foundation

/// Keeps two runs off one warehouse: an exclusive `flock` on `WAREHOUSE.lock`. The kernel drops
/// the lock when the process exits, however it exits, so a crashed run never leaves a stale lock.
public final class RunLock {
    public let path: String
    private var descriptor: Int32 = -1

    /// Takes the lock or fails at once (a scheduled run must not queue behind a stuck one unseen).
    /// - Throws: `LoyaltyError.locked` naming the holder written in the lock file.
    public init(warehousePath: String) throws {
        path = warehousePath + ".lock"
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw LoyaltyError.io(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            descriptor = -1
            throw LoyaltyError.locked(lockFile: path, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown process")
        }
        let note = "pid \(getpid()) since \(CivilDate.formatTimestamp(Int64(Date().timeIntervalSince1970)))\n"
        ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    public func release() {
        guard descriptor >= 0 else { return }
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
