import ArgumentParser
import Foundation
import LoyaltyKit

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute every aggregate table from the order lines (after an upgrade, or when in doubt).",
        discussion: """
            The stages after ingest read aggregate tables that each run maintains from what it \
            loaded. This recomputes all of them from order_line for the --as-of's figures window \
            (segment.lookback_days), in one transaction; outputs are unchanged when the aggregates \
            were right. Takes the warehouse's run lock. See docs/operations.md.
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        print(try AggregateCommands.rebuild(settings: RunSettings.resolve(options.runOptions())))
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare the maintained aggregate tables with their reference definitions; exit 1 on any difference.",
        discussion: """
            Runs each aggregate's reference SQL over all order lines and compares it row by row \
            with the maintained table, for the window the aggregates hold. Reads the warehouse \
            only. A difference is listed with example rows; `loyalty rebuild` repairs it.
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let (text, agrees) = try AggregateCommands.verify(settings: RunSettings.resolve(options.runOptions()))
        print(text, terminator: "")
        if !agrees { throw ExitCode(1) }
    }
}
