import Foundation
import Testing
import LoyaltyKit

/// Runs the built `loyalty` binary, as a scheduler or make would, and checks what it prints and
/// its exit status (0 success, 1 the run failed, 2 bad usage or configuration).
@Suite struct LoyaltyBinaryTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary next to the test bundle in the build folder.
    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("loyalty").path,
            packageRoot + "/.build/debug/loyalty",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    func run(_ arguments: [String], in directory: String = packageRoot) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "loyalty-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func helpExplainsTheStagesAndExitCodes() throws {
        let outcome = try run(["--help"])
        #expect(outcome.status == 0)
        // Help is wrapped to the terminal width: compare with the line breaks folded.
        let text = outcome.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("ingest → enrich → segment → pairs → offers → publish"))
        #expect(text.contains("Exit status: 0 success, 1 the run failed, 2 bad usage or configuration"))
        let runHelp = try run(["run", "--help"])
        for option in ["--input", "--as-of", "--out", "--pipeline", "--warehouse", "--only", "--from"] {
            #expect(runHelp.stdout.contains(option), "run --help lacks \(option)")
        }
    }

    @Test func badUsageExitsWithTwo() throws {
        #expect(try run(["run", "--bogus"]).status == 2)
        #expect(try run(["run", "--as-of", "21.11.2026"]).status == 2)
        let unknownStage = try run(["run", "--only", "nonsense", "--as-of", "2026-11-21"])
        #expect(unknownStage.status == 2)
        #expect(unknownStage.stderr.contains("available: ingest"))
        #expect(try run(["run", "--only", "ingest", "--from", "ingest"]).status == 2)
    }

    @Test func configurationErrorsExitWithTwoAndNameTheLine() throws {
        let folder = try temporaryFolder()
        try "seed: 1\nsegment:\n  bins: 5\n  binz: 3\n".write(toFile: folder + "/p.yml", atomically: true, encoding: .utf8)
        let outcome = try run(["run", "--pipeline", folder + "/p.yml", "--as-of", "2026-11-21", "--warehouse", folder + "/w.sqlite"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("p.yml:4: configuration key 'segment.binz': unknown key"))
    }

    @Test func aSuccessfulIngestPrintsWhereTheOutputsAre() throws {
        let folder = try temporaryFolder()
        let outcome = try run(["ingest", "--input", Self.packageRoot + "/fixtures/cases/contract", "--as-of", "2026-11-21",
                               "--warehouse", folder + "/w.sqlite", "--out", folder + "/out"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("transactions.csv: 8 loaded, 8 rejected"))
        #expect(outcome.stdout.contains("outputs: \(folder)/out/"))
        #expect(FileManager.default.fileExists(atPath: folder + "/out/rejects.csv"))
        #expect(FileManager.default.fileExists(atPath: folder + "/out/manifest.json"))
    }

    /// verify finds a tampered aggregate (exit 1, naming the table and the row), rebuild repairs it.
    @Test func verifyListsADifferenceAndRebuildRepairsIt() throws {
        let folder = try temporaryFolder()
        let common = ["--as-of", "2026-11-21", "--warehouse", folder + "/w.sqlite", "--out", folder + "/out"]
        #expect(try run(["ingest", "--input", Self.packageRoot + "/fixtures/cases/contract"] + common).status == 0)
        let clean = try run(["verify"] + common)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("tables equal their reference definitions"))
        let tamper = Process()
        tamper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tamper.arguments = ["python3", "-c", "import sqlite3; db = sqlite3.connect('\(folder)/w.sqlite'); db.execute('UPDATE agg_customer SET net_minor = net_minor + 1'); db.commit()"]
        try tamper.run()
        tamper.waitUntilExit()
        let broken = try run(["verify"] + common)
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("agg_customer:"))
        #expect(broken.stdout.contains("maintained: customer_key="))
        let rebuilt = try run(["rebuild"] + common)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("aggregates rebuilt from"))
        #expect(try run(["verify"] + common).status == 0)
    }

    @Test func anUnreadableFileFailsTheRunWithOneAndSaysWhichFile() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
        try "customer_id,email\nC1,a@b.c\n".write(toFile: folder + "/in/customers.csv", atomically: true, encoding: .utf8)
        try "order_id,customer_id\nO1,C1\n".write(toFile: folder + "/in/transactions.csv", atomically: true, encoding: .utf8)
        let outcome = try run(["run", "--input", folder + "/in", "--as-of", "2026-11-21", "--warehouse", folder + "/w.sqlite", "--out", folder + "/out"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("stage ingest failed"))
        #expect(outcome.stderr.contains("transactions.csv:1: missing required column(s) ordered_at, product_id, quantity, unit_price"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/manifest.json"))
    }

    @Test func explainPrintsTheOffersAndFailsClearlyForAnUnknownCustomer() throws {
        let folder = try temporaryFolder()
        let delivery = Self.packageRoot + "/fixtures/cases/offers"
        let common = ["--pipeline", delivery + "/offers.yml", "--as-of", "2026-11-21", "--warehouse", folder + "/w.sqlite"]
        let run = try run(["run", "--input", delivery, "--out", folder + "/out"] + common)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("feeds: email 5, sms 1, push 2"))
        let explained = try self.run(["explain", "--customer", "C1"] + common)
        #expect(explained.status == 0)
        #expect(explained.stdout.contains("reason: Time to restock Green Tea 100 g"))
        // The customer's value figures, as customer_value.csv has them (rounded for people).
        let value = try String(contentsOfFile: folder + "/out/customer_value.csv", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("C1,") }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let c1 = try #require(value)
        let alive = NumberFormat.forPeople(Double(c1[4])!)
        #expect(explained.stdout.contains("  value: P(alive) \(alive); expected purchases in 365 days \(NumberFormat.forPeople(Double(c1[5])!)); "
            + "expected order value \(c1[6].isEmpty ? "-" : c1[6]); CLV \(c1[7].isEmpty ? "-" : c1[7])"), "\(explained.stdout)")
        let unknown = try self.run(["explain", "--customer", "NOPE"] + common)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("customer 'NOPE' is not in the warehouse"))
    }

    @Test func generateIsDeterministic() throws {
        let folder = try temporaryFolder()
        for name in ["a", "b"] {
            let outcome = try run(["generate", "--out", folder + "/" + name, "--customers", "40", "--products", "15", "--orders", "120", "--seed", "7", "--bad-rows", "9"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        for file in ["categories.csv", "products.csv", "product_attributes.csv", "customers.csv", "transactions.csv"] {
            let a = FileManager.default.contents(atPath: folder + "/a/" + file)
            #expect(a != nil && a == FileManager.default.contents(atPath: folder + "/b/" + file), "\(file) differs")
        }
        #expect(try run(["generate", "--out", folder + "/c", "--orders", "0"]).status == 2)
    }
}
