import ArgumentParser
import Foundation
import LoyaltyKit
import Logging

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Offers as they would have been made on --as-of, scored against what customers bought in the next --horizon-days days.",
        discussion: """
            Works in a copy of the warehouse next to it (as much free disk as the warehouse; deleted afterwards) where \
            nothing dated after --as-of counts: enrich, segment, pairs and offers run as of that day. Each customer's offers, \
            every generator's candidates and three baselines (popular products, popular in the favourite category, own \
            repeat purchases) are scored by precision, recall, MAP, NDCG and hit rate at k = 1, 3, 10, catalogue coverage, \
            and the revenue and margin the hits carry, per offer type and segment. Control-group customers are included. \
            Writes backtest.csv (and with --lists backtest_lists.csv, every customer's lists) to --out (default \
            <output>/<as-of>/); the figures are kept in the warehouse for the report. Holds the warehouse's run lock while \
            it runs. See docs/offers.md, "How good are the offers".
            """)

    @Option(name: .customLong("horizon-days"), help: "Days after --as-of whose purchases the offers are scored against.")
    var horizonDays: Int = 30

    @Flag(help: "Also write backtest_lists.csv: every customer's ranked lists (for checks/backtest_sar.py).")
    var lists = false

    @OptionGroup var options: PipelineOptions

    func run() throws {
        guard options.asOf != nil else {
            throw LoyaltyError.usage("backtest needs --as-of: the day the offers would have been made, with --horizon-days of purchases after it")
        }
        let settings = try RunSettings.resolve(options.runOptions())
        let summary = try Backtest.run(settings: settings, horizonDays: horizonDays, writeLists: lists, logger: Logger(label: "loyalty"))
        for line in summary.lines { print(line) }
        print("outputs: \(summary.outputDirectory)/ (\(summary.files.keys.sorted().joined(separator: ", ")))")
    }
}
