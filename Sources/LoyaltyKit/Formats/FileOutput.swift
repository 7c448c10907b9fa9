import Foundation

/// A buffered writer to one file descriptor: hot writers append bytes without a system call per row.
public final class FileOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
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
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if !closed { Foundation.close(descriptor) }
    }

    @inline(__always)
    public func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= capacity { try flush() }
    }

    public func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            guard written > 0 else {
                throw LoyaltyError.io(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
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
