import Foundation

/// A buffered writer to one file descriptor: hot writers append bytes without a system call per row.
public final class FileOutput {
    private let descriptor: Int32
    /// A raw buffer rather than an array: the writers of large outputs append a few bytes per call,
    /// and an array's uniqueness check and growth test per append showed in profiles.
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private static let capacity = 1 << 20
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
        buffer = .allocate(capacity: Self.capacity)
    }

    deinit {
        if !closed { Foundation.close(descriptor) }
        buffer.deallocate()
    }

    @inline(__always)
    public func write(byte: UInt8) throws {
        if count == Self.capacity { try flush() }
        buffer[count] = byte
        count += 1
    }

    public func write(bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count <= Self.capacity else {
            try flush()
            try writeAll(bytes.baseAddress!, bytes.count)
            return
        }
        if count + bytes.count > Self.capacity { try flush() }
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
        precondition(maximum <= Self.capacity)
        if count + maximum > Self.capacity { try flush() }
        count += fill(buffer + count)
    }

    public func flush() throws {
        try writeAll(buffer, count)
        count = 0
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
        guard !closed else { return }
        try flush()
        fsync(descriptor)
        closed = true
        guard Foundation.close(descriptor) == 0 else {
            throw LoyaltyError.io(path: path, message: "close failed: \(String(cString: strerror(errno)))")
        }
    }
}
