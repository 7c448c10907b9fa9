import CZlib
import Foundation

/// A stream of bytes from an input file, plain or gzip-compressed, read in large chunks so
/// a delivery of any size is streamed and never held whole in memory.
public protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
}

/// Opens `path` for streaming; a `.gz` name or the gzip magic bytes select decompression.
/// The returned file source hashes the bytes as they are read (the ledger's checksum, for free).
public func openByteSource(path: String) throws -> (source: ByteSource, file: FileByteSource) {
    let file = try FileByteSource(path: path)
    var magic: [UInt8] = [0, 0]
    let peeked = pread(file.descriptor, &magic, 2, 0)
    if path.hasSuffix(".gz") || (peeked == 2 && magic == [0x1F, 0x8B]) {
        return (try GzipByteSource(file: file, path: path), file)
    }
    return (file, file)
}

/// Reads a plain file with read(2), keeping a SHA-256 and a byte count of what it read.
public final class FileByteSource: ByteSource {
    let descriptor: Int32
    let path: String
    public private(set) var hasher = SHA256()
    public private(set) var bytesRead = 0

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw LoyaltyError.io(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer, capacity)
            if count >= 0 {
                hasher.update(UnsafeRawBufferPointer(start: buffer, count: count))
                bytesRead += count
                return count
            }
            if errno == EINTR { continue }
            throw LoyaltyError.io(path: path, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Inflates gzip (and concatenated gzip members, as `cat a.gz b.gz` makes) through zlib.
/// A stream that ends before its gzip trailer is reported as truncated: half a delivery must not load.
public final class GzipByteSource: ByteSource {
    private let file: FileByteSource
    private let path: String
    private var stream = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 18
    private var inputEnded = false
    private var memberEnded = false
    private var totalIn = 0

    public init(file: FileByteSource, path: String) throws {
        self.file = file
        self.path = path
        input = .allocate(capacity: inputCapacity)
        // 15 + 32: the largest window, and let zlib detect the gzip header itself.
        let status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw LoyaltyError.io(path: path, message: "cannot start gzip decompression (zlib status \(status))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        stream.next_out = buffer.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(capacity)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnded {
                let count = try file.read(into: input, capacity: inputCapacity)
                if count == 0 {
                    inputEnded = true
                } else {
                    stream.next_in = input
                    stream.avail_in = UInt32(count)
                    totalIn += count
                }
            }
            if stream.avail_in == 0 && inputEnded {
                if !memberEnded {
                    throw LoyaltyError.unreadableInput(
                        file: path, line: nil,
                        message: "the gzip stream is truncated after \(totalIn) compressed bytes")
                }
                break
            }
            if memberEnded {
                // Another gzip member follows the one that ended.
                inflateReset(&stream)
                memberEnded = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw LoyaltyError.unreadableInput(file: path, line: nil, message: "not a valid gzip file: \(detail)")
            }
        }
        return capacity - Int(stream.avail_out)
    }
}
