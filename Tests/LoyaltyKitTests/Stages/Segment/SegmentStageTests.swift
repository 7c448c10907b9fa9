import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// `fixtures/cases/segment`, worked out by hand (as_of 2026-11-21, UTC):
/// - C1: purchases O3 (Nov 1, 30), O1 and O2 (Nov 20, 100 + 50); O11 nets −5 (not a purchase, but
///   counts in monetary) → frequency 3, monetary 175, recency 1, active days 2 of 21.
/// - C2: O4 (Oct 22, 40) then a return order O5 (−40) → frequency 1, monetary 0, recency 30, 1/31.
/// - C3: only a return → No Purchases, monetary −20. C4: no orders → No Purchases.
/// - C5: O8 a year before (500); O7 is after as_of → frequency 1, recency 365, 1/366.
/// - C6: O9 at 23:30 on as_of itself, 6 × 1 − 1 → frequency 1, monetary 5, recency 0, 1/1.
/// Scores (n = 4, cut points = type-7 quantiles + 1): recency cuts 1.6, 7.8, 25.2, 165 → C1 5, C2 2,
/// C5 1, C6 5; frequency cuts 2, 2, 2, 2.8 → 5 for C1, 1 for the rest; monetary cuts 4, 40, 142, 306
/// → C2 1, C6 2, C1 4, C5 5. Segments: 554 Potential Loyalist, 211 About To Sleep, 115 Lost,
/// 512 New Customers.
@Suite struct SegmentStageTests {
    let delivery = fixture("cases/segment")

    func rows(_ path: String) throws -> [String: [String: String]] {
        let table = try readCSV(path)
        let header = table[0]
        var byId: [String: [String: String]] = [:]
        for row in table.dropFirst() {
            byId[row[0]] = Dictionary(uniqueKeysWithValues: zip(header, row))
        }
        return byId
    }

    @Test func handComputedFiguresScoresAndSegments() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root)
        let customers = try rows(root + "/out/customers_rfm.csv")
        #expect(customers.count == 6)
        let expected: [String: (String, String, String, String, String, String, String)] = [
            // recency, frequency, monetary, avg_order_value, activity, rfm_score, segment
            "C1": ("1", "3", "175.00", "58.33", "\(2.0 / 21.0)", "554", "Potential Loyalist"),
            "C2": ("30", "1", "0.00", "0.00", "\(1.0 / 31.0)", "211", "About To Sleep"),
            "C3": ("", "0", "-20.00", "", "", "", "No Purchases"),
            "C4": ("", "0", "0.00", "", "", "", "No Purchases"),
            "C5": ("365", "1", "500.00", "500.00", "\(1.0 / 366.0)", "115", "Lost"),
            "C6": ("0", "1", "5.00", "5.00", "1.0", "512", "New Customers"),
        ]
        for (id, figures) in expected {
            let row = try #require(customers[id])
            #expect(row["recency_days"] == figures.0, "\(id)")
            #expect(row["frequency"] == figures.1, "\(id)")
            #expect(row["monetary"] == figures.2, "\(id)")
            #expect(row["avg_order_value"] == figures.3, "\(id)")
            #expect(row["activity_coefficient"] == figures.4, "\(id)")
            #expect(row["rfm_score"] == figures.5, "\(id)")
            #expect(row["segment"] == figures.6, "\(id)")
        }
        #expect(customers["C1"]?["first_order_at"] == "2026-11-01T09:00:00Z")
        #expect(customers["C1"]?["last_order_at"] == "2026-11-20T15:00:00Z")
        #expect(customers["C3"]?["cluster"] == "")

        // Thresholds and empty bins.
        let thresholds = try readCSV(root + "/out/segment_thresholds.csv").dropFirst()
        let frequencyCounts = thresholds.filter { $0[0] == "frequency" }.map { $0[4] }
        #expect(frequencyCounts == ["3", "0", "0", "0", "1"])
        let monetaryLower = thresholds.filter { $0[0] == "monetary" }.map { Double($0[2]) ?? .nan }
        #expect(abs(monetaryLower[1] - 4) < 1e-9 && abs(monetaryLower[2] - 40) < 1e-9 && abs(monetaryLower[4] - 306) < 1e-9)
    }

    @Test func segmentsSummaryAddsUp() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root)
        let segments = try rows(root + "/out/segments.csv")
        #expect(segments["No Purchases"]?["customers"] == "2")
        #expect(segments["No Purchases"]?["revenue"] == "-20.00")
        #expect(segments["Lost"]?["revenue"] == "500.00")
        #expect(segments["Lost"]?["share_customers"] == "\(1.0 / 6.0)")
        // Total revenue 175 + 0 − 20 + 0 + 500 + 5 = 660.
        #expect(segments["Lost"]?["share_revenue"] == "\(500.0 / 660.0)")
        #expect(segments["Champions"]?["customers"] == "0")
        #expect(segments["Potential Loyalist"]?["avg_monetary"] == "175.00")
        let total = segments.values.compactMap { Int($0["customers"] ?? "") }.reduce(0, +)
        #expect(total == 6)
    }

    @Test func clustersAreNumberedByDescendingMeanMonetary() throws {
        let root = try temporaryFolder()
        try write("input: \(delivery)\nsegment:\n  k: 2\n", to: root + "/k2.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/k2.yml")
        let customers = try rows(root + "/out/customers_rfm.csv")
        let clusters = try readCSV(root + "/out/clusters.csv").dropFirst()
        #expect(clusters.map { $0[0] } == ["0", "1"])
        #expect(clusters.map { Int($0[2]) ?? 0 }.reduce(0, +) == 4)
        var sums = [Double](repeating: 0, count: 2), counts = [Double](repeating: 0, count: 2)
        for row in customers.values {
            guard let cluster = Int(row["cluster"] ?? ""), let monetary = Double(row["monetary"] ?? "") else { continue }
            sums[cluster] += monetary
            counts[cluster] += 1
        }
        #expect(sums[0] / counts[0] > sums[1] / counts[1])
        let shares = clusters.compactMap { Double($0[6]) }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-12)
    }

    @Test func rerunsAreByteIdentical() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root)
        let first = try ["customers_rfm.csv", "segments.csv", "clusters.csv", "segment_thresholds.csv"].map {
            try String(contentsOfFile: root + "/out/" + $0, encoding: .utf8)
        }
        try runPipeline(input: fixture("demo"), root: root)
        let second = try ["customers_rfm.csv", "segments.csv", "clusters.csv", "segment_thresholds.csv"].map {
            try String(contentsOfFile: root + "/out/" + $0, encoding: .utf8)
        }
        #expect(first == second)
    }

    @Test func migrationBetweenTwoRunsAndReplacingAnAsOf() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root, asOf: "2026-11-21")
        #expect(try readCSV(root + "/out/segment_migration.csv").count == 1) // header only on a first run
        let before = try rows(root + "/out/customers_rfm.csv")
        let settings = root + "/out22"
        // Next day: O7 (Nov 22) makes C5 a two-order customer with recency 0.
        let result = try PipelineRunner(stages: NightlyPipeline.stages(), logger: quietLogger).run(
            settings: try RunSettings.resolve(RunOptions(input: delivery, asOf: "2026-11-22", out: settings, warehouse: root + "/warehouse.sqlite")),
            selection: .all, command: "test")
        #expect(result.stages.map(\.name).contains("segment"))
        let after = try rows(settings + "/customers_rfm.csv")
        #expect(after["C5"]?["frequency"] == "2")
        #expect(after["C5"]?["recency_days"] == "0")
        var expected: [String: Int] = [:]
        for (id, row) in after { expected["\(before[id]?["segment"] ?? "?")→\(row["segment"] ?? "?")", default: 0] += 1 }
        var migration: [String: Int] = [:]
        for row in try readCSV(settings + "/segment_migration.csv").dropFirst() { migration["\(row[0])→\(row[1])"] = Int(row[2]) }
        #expect(migration == expected)

        // Re-running the first day replaces only that day's membership.
        try runPipeline(input: delivery, root: root, asOf: "2026-11-21")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM segment_membership WHERE as_of = '2026-11-21'") == 6)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM segment_membership WHERE as_of = '2026-11-22'") == 6)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM customer_rfm WHERE as_of = '2026-11-21'") == 6)
    }

    @Test func lookbackWindowAndCustomCutPoints() throws {
        let root = try temporaryFolder()
        try write("""
            segment:
              lookback_days: 60
              cut_points:
                recency: [2, 10, 31, 100]
            """, to: root + "/p.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/p.yml")
        let customers = try rows(root + "/out/customers_rfm.csv")
        // C5's only purchase is a year old: outside 60 days, so no purchases.
        #expect(customers["C5"]?["segment"] == "No Purchases")
        // Activity is over the 60-day window: C1 bought on 2 days.
        #expect(customers["C1"]?["activity_coefficient"] == "\(2.0 / 60.0)")
        // Fixed recency cut points, used as given: 1 → [0,2) → 5; 30 → [10,31) → 3; 0 → 5.
        #expect(customers["C1"]?["r_score"] == "5")
        #expect(customers["C2"]?["r_score"] == "3")
        #expect(customers["C6"]?["r_score"] == "5")
    }
}
