import Foundation

/// A buffered writer to one file descriptor: hot writers append bytes without a system call per row.
/// An output made by `inMemory()` keeps every byte instead (parts of a file formatted on several
/// threads, appended to the file in order with `write(bytes:)` of `contents`).
public final class FileOutput {
    private let descriptor: Int32
    /// A raw buffer rather than an array: the writers of large outputs append a few bytes per call,
    /// and an array's uniqueness check and growth test per append showed in profiles.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity = 1 << 20
    private var inMemory: Bool { descriptor < 0 }
    public let path: String
    private var closed = false

    /// Creates (or truncates) `path` with the given permission bits.
    public init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else {
            throw LoyaltyError.io(path: path, message: "cannot create file: \(String(cString: strerror(errno)))")
        }
        // open(2) applies the umask; files with personal data must end up exactly as asked.
        fchmod(fd, mode)
        descriptor = fd
        buffer = .allocate(capacity: capacity)
    }

    private init(memoryCapacity: Int) {
        path = "(memory)"
        descriptor = -1
        capacity = memoryCapacity
        buffer = .allocate(capacity: capacity)
    }

    /// An output that grows in memory and never touches a file.
    public static func inMemory(capacity: Int = 1 << 20) -> FileOutput {
        FileOutput(memoryCapacity: capacity)
    }

    /// The bytes of an in-memory output, valid until its next write or `removeAll()`.
    public var contents: UnsafeBufferPointer<UInt8> {
        precondition(inMemory, "contents of a file output")
        return UnsafeBufferPointer(start: buffer, count: count)
    }

    /// Empties an in-memory output, keeping its buffer.
    public func removeAll() {
        precondition(inMemory, "removeAll on a file output")
        count = 0
    }

    deinit {
        if !closed && !inMemory { Foundation.close(descriptor) }
        buffer.deallocate()
    }

    @inline(__always)
    public func write(byte: UInt8) throws {
        if count == capacity { try makeRoom(1) }
        buffer[count] = byte
        count += 1
    }

    public func write(bytes: UnsafeBufferPointer<UInt8>) throws {
        if bytes.count > capacity && !inMemory {
            try flush()
            try writeAll(bytes.baseAddress!, bytes.count)
            return
        }
        if count + bytes.count > capacity { try makeRoom(bytes.count) }
        if let base = bytes.baseAddress { (buffer + count).update(from: base, count: bytes.count) }
        count += bytes.count
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(bytes: $0) }
    }

    /// Lets `fill` write at most `maximum` bytes straight into the buffer; it returns how many it wrote.
    @inline(__always)
    public func write(atMost maximum: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) throws {
        if count + maximum > capacity { try makeRoom(maximum) }
        count += fill(buffer + count)
    }

    /// Flushes a file output to its file (a no-op in memory).
    public func flush() throws {
        guard !inMemory else { return }
        try writeAll(buffer, count)
        count = 0
    }

    /// Room for `needed` more bytes: a file output flushes, an in-memory one grows.
    private func makeRoom(_ needed: Int) throws {
        guard inMemory else {
            precondition(needed <= capacity)
            return try flush()
        }
        var grown = capacity * 2
        while grown < count + needed { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: buffer, count: count)
        buffer.deallocate()
        buffer = larger
        capacity = grown
    }

    private func writeAll(_ start: UnsafePointer<UInt8>, _ length: Int) throws {
        var offset = 0
        while offset < length {
            let written = Foundation.write(descriptor, start + offset, length - offset)
            guard written > 0 else {
                throw LoyaltyError.io(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Flushes, syncs to disk (a rename must never expose a half-written file) and closes.
    public func close() throws {
        guard !closed, !inMemory else { return }
        try flush()
        fsync(descriptor)
        // Nothing in a run reads its outputs back: out of the page cache they leave room for the
        // warehouse's pages, which the next stage (or a rerun) reads again. A 1 GB night of
        // offers otherwise pushed them out on a machine with a small cache, and the next read
        // went to the disk.
        posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
        closed = true
        guard Foundation.close(descriptor) == 0 else {
            throw LoyaltyError.io(path: path, message: "close failed: \(String(cString: strerror(errno)))")
        }
    }
}
