/// JSON string literals (RFC 8259 escaping: quote, backslash, and the control characters).
enum JSONString {
    /// Hands `text` as a quoted JSON literal to `emit`, in pieces: runs of bytes that need no
    /// escaping go out as they are (the feeds write millions of them straight into a file buffer).
    static func write(_ text: String, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var text = text
        try emitLiteral("\"", emit)
        try text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
                try emit(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                switch byte {
                case 0x22: try emitLiteral("\\\"", emit)
                case 0x5C: try emitLiteral("\\\\", emit)
                case 0x0A: try emitLiteral("\\n", emit)
                case 0x0D: try emitLiteral("\\r", emit)
                case 0x09: try emitLiteral("\\t", emit)
                default: try emitLiteral("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16), emit)
                }
                start = index + 1
            }
            try emit(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        try emitLiteral("\"", emit)
    }

    /// `text` as a quoted JSON literal.
    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        write(text) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func emitLiteral(_ literal: String, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var literal = literal
        try literal.withUTF8 { try emit($0) }
    }
}
