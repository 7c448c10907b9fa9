import Foundation

/// One parsed input row, its fields already placed in the order of the entity's schema columns,
/// whatever the file's own column order or format (CSV or JSON Lines).
///
/// The bytes live in the reader's reused buffer and are valid only during the callback: hot
/// loops parse numbers straight from them and make a `String` only for what they keep.
public struct InputRecord {
    /// The physical line where the row starts (the CSV header is line 1).
    public let line: Int
    let storage: UnsafePointer<UInt8>
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    public let columnCount: Int
    /// Fields found in the row and in the header, for a "wrong number of fields" check (CSV only).
    public let fieldsInRow: Int
    public let expectedFields: Int
    /// For JSON Lines orders with nested lines: the line's index in the order's `lines` array.
    public let nestedIndex: Int?
    /// The fields as read, for re-encoding a CSV row; JSON rows keep their line instead.
    unowned let fields: RecordBuffer
    let rawLine: String?

    /// The field's bytes; empty when the field is empty or the column is absent.
    @inline(__always)
    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        let start = starts[column]
        guard start >= 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: storage + start, count: ends[column] - start)
    }

    /// The field as text, `nil` when empty or absent (the contract treats both the same).
    @inline(__always)
    public func string(_ column: Int) -> String? {
        let field = bytes(column)
        guard !field.isEmpty else { return nil }
        return String(decoding: field, as: UTF8.self)
    }

    @inline(__always)
    public func isEmpty(_ column: Int) -> Bool { bytes(column).isEmpty }

    /// The first schema column whose value holds a NUL byte, which SQLite's C strings would cut
    /// short and many CSV readers refuse. One scan of the record's bytes: nearly every row has none.
    public func columnHoldingNUL() -> Int? {
        guard fields.count > 0, memchr(fields.storage, 0, fields.count) != nil else { return nil }
        return (0..<columnCount).first { bytes($0).contains(0) }
    }

    /// The row as it was delivered (CSV re-encoded from its fields, or the JSON line), for rejects.
    public var raw: String { rawLine ?? CSVReader.encode(fields) }
}

/// A growable byte and field-boundary buffer reused for every record of a file.
final class RecordBuffer {
    private(set) var storage: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0
    var fieldStarts: [Int] = []
    var fieldEnds: [Int] = []

    init(capacity: Int = 1 << 12) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    func reset() {
        count = 0
        fieldStarts.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafePointer<UInt8>, count length: Int) {
        if count + length > capacity { grow(to: count + length) }
        (storage + count).update(from: bytes, count: length)
        count += length
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        append(base, count: bytes.count)
    }

    func beginField() { fieldStarts.append(count) }
    func endField() { fieldEnds.append(count) }

    func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + fieldStarts[index], count: fieldEnds[index] - fieldStarts[index])
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }
}
