import Foundation
import Testing

/// Foundation APIs that corrupt the heap on Linux when used from several threads, which the
/// stages and the parallel test runner do. One crashed CI with "tcache_thread_shutdown():
/// unaligned tcache chunk detected" far from its cause; the timestamps they made are written with
/// `CivilDate.formatTimestamp` instead.
@Suite struct FoundationHazardTests {
    /// swift-corelibs-foundation#5533: an invalid free in ISO8601DateFormatter's lazy formatter.
    static let hazards = ["ISO8601DateFormatter", "DateFormatter()"]

    @Test func sourcesAvoidFoundationDateFormatters() throws {
        var offenders: [String] = []
        for folder in ["Sources", "Tests"] {
            let root = packageRoot + "/" + folder
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            #expect(!files.isEmpty, "found no sources under \(root)")
            for file in files where file.hasSuffix(".swift") && !file.hasSuffix("FoundationHazardTests.swift") {
                let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                    for hazard in Self.hazards where code.contains(hazard) {
                        offenders.append("\(folder)/\(file):\(index + 1): \(hazard)")
                    }
                }
            }
        }
        #expect(offenders.isEmpty, "use CivilDate.formatTimestamp: \(offenders.joined(separator: "; "))")
    }
}
