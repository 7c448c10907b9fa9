import Foundation
import Yams

/// Reads one YAML mapping of the pipeline file with its keys' line numbers, so every bad value and
/// every unknown key is reported as `file:line: configuration key 'a.b': what was expected`.
struct YAMLMapping {
    let file: String
    let path: String
    private let entries: [(key: String, line: Int, value: Node)]
    let line: Int?
    private var used: Set<String> = []

    init(node: Node, file: String, path: String) throws {
        self.file = file
        self.path = path
        line = node.mark?.line
        guard let mapping = node.mapping else {
            throw LoyaltyError.config(file: file, line: node.mark?.line, key: path.isEmpty ? "(top level)" : path,
                                      message: "expected a mapping of keys to values")
        }
        var entries: [(String, Int, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw LoyaltyError.config(file: file, line: key.mark?.line, key: path, message: "keys must be plain names")
            }
            if entries.contains(where: { $0.0 == name }) {
                throw LoyaltyError.config(file: file, line: key.mark?.line, key: path.isEmpty ? name : path + "." + name, message: "the key is given twice")
            }
            entries.append((name, key.mark?.line ?? 0, value))
        }
        self.entries = entries
    }

    func qualified(_ key: String) -> String { qualified(key, path) }

    /// The keys in file order (for mappings whose keys are data, such as segment names).
    var keys: [String] { entries.map(\.key) }

    /// Texts of a list such as `[email, push]`.
    func strings(_ nodes: [Node], key: String) throws -> [String] {
        try nodes.map { node in
            guard case let .scalar(scalar) = node else {
                throw LoyaltyError.config(file: file, line: node.mark?.line, key: qualified(key), message: "expected a text value")
            }
            return scalar.string
        }
    }

    private func qualified(_ key: String, _ path: String) -> String { path.isEmpty ? key : path + "." + key }

    func fail(_ key: String, _ message: String) -> LoyaltyError {
        .config(file: file, line: entries.first(where: { $0.key == key })?.line ?? line, key: qualified(key), message: message)
    }

    /// The value node of `key`, or nil when absent or explicitly null (both mean "the default").
    mutating func node(_ key: String) -> Node? {
        used.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case let .scalar(scalar) = entry.value, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return entry.value
    }

    mutating func string(_ key: String) throws -> String? {
        guard let node = node(key) else { return nil }
        guard case let .scalar(scalar) = node else { throw fail(key, "expected a text value") }
        return scalar.string
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let node = node(key) else { return nil }
        guard let value = node.int else { throw fail(key, "expected a whole number, got '\(node.string ?? "?")'") }
        guard range.contains(value) else { throw fail(key, "expected a whole number in \(range.lowerBound)…\(range.upperBound), got \(value)") }
        return value
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let node = node(key) else { return nil }
        guard let value = node.bool else { throw fail(key, "expected true or false, got '\(node.string ?? "?")'") }
        return value
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let node = node(key) else { return nil }
        guard let value = node.float, value.isFinite else { throw fail(key, "expected a number, got '\(node.string ?? "?")'") }
        guard range.contains(value) else { throw fail(key, "expected a number in \(range.lowerBound)…\(range.upperBound), got \(value)") }
        return value
    }

    mutating func mapping(_ key: String) throws -> YAMLMapping? {
        guard let node = node(key) else { return nil }
        return try YAMLMapping(node: node, file: file, path: qualified(key))
    }

    mutating func sequence(_ key: String) throws -> [Node]? {
        guard let node = node(key) else { return nil }
        guard let sequence = node.sequence else { throw fail(key, "expected a list") }
        return Array(sequence)
    }

    /// Numbers of a list such as `[1, 5]`.
    func numbers(_ nodes: [Node], key: String) throws -> [Double] {
        try nodes.map { node in
            guard let value = node.float, value.isFinite else {
                throw LoyaltyError.config(file: file, line: node.mark?.line, key: qualified(key),
                                          message: "expected a number, got '\(node.string ?? "?")'")
            }
            return value
        }
    }

    /// Fails on the first key that no reader asked for: a typo must not silently become a default.
    func rejectUnknownKeys(known extra: [String] = []) throws {
        for entry in entries where !used.contains(entry.key) && !extra.contains(entry.key) {
            let known = (Array(used) + extra).sorted().joined(separator: ", ")
            throw LoyaltyError.config(file: file, line: entry.line, key: qualified(entry.key),
                                      message: "unknown key (known keys here: \(known))")
        }
    }
}
