import ArgumentParser
import Foundation
import LoyaltyKit

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic synthetic delivery (contract input files) for demos, tests and benchmarks.",
        discussion: "The same options and seed always give byte-identical files.")

    @Option(help: "Folder to write the input files into.")
    var out: String

    @Option(help: "Number of customers.")
    var customers = 500

    @Option(help: "Number of products.")
    var products = 120

    @Option(help: "Number of orders (order lines ≈ 3–4 × orders).")
    var orders = 3000

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .customLong("as-of"), help: "Last day of the generated history, YYYY-MM-DD.")
    var asOf = "2026-11-21"

    @Option(name: .customLong("history-days"), help: "Days of history before --as-of.")
    var historyDays = 730

    @Option(name: .customLong("bad-rows"), help: "Extra rows that break the contract, for testing rejects (see docs/inputs.md).")
    var badRows = 0

    @Option(name: .customLong("bad-addresses"), help: "Customers whose email or phone is made invalid: they load, and contact_issues.csv lists the address.")
    var badAddresses = 0

    @Option(help: "Rows of suppressions.csv to write (customers kept out of sends); none: no file.")
    var suppressions = 0

    func run() throws {
        let options = GeneratorOptions(customers: customers, products: products, orders: orders, seed: seed, asOf: asOf,
                                       historyDays: historyDays, badRows: badRows, badAddresses: badAddresses, suppressions: suppressions)
        let started = Date()
        let summary = try RetailDataGenerator.generate(options, into: out) { line in
            FileHandle.standardError.write(Data("generate: \(line)\n".utf8))
        }
        for (file, rows) in summary.files.sorted(by: { $0.key < $1.key }) {
            let bad = summary.badRows[file].map { " (\($0) bad)" } ?? ""
            print("\(out)/\(file): \(rows) rows\(bad)")
        }
        print(String(format: "generated in %.1f s", Date().timeIntervalSince(started)))
    }
}
