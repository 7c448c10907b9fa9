import ArgumentParser
import LoyaltyKit

struct OffersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offers",
        abstract: "Personal offers as of --as-of: candidates, expected-value scores, arbitration, holdout, channel feeds.",
        discussion: """
            Writes offers.csv, offer_drops.csv and one feed per channel in feeds/ (email.csv, sms.csv, push.jsonl, and \
            NAME.csv or NAME.jsonl for each channel the pipeline file adds under channels:, such as a loyalty card). \
            Suppressions (suppressions.csv, unsubscribes) and invalid addresses keep customers off a channel; when half \
            or more of the customers with candidates are reached by none, the summary says why. See docs/offers.md.
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "offers"), command: "offers")
    }
}
