import ArgumentParser
import LoyaltyKit

struct OffersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offers",
        abstract: "Personal offers as of --as-of: candidates, expected-value scores, arbitration, holdout, channel feeds.",
        discussion: "Writes offers.csv, offer_drops.csv and feeds/ (email.csv, sms.csv, push.jsonl); see docs/offers.md.")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "offers"), command: "offers")
    }
}
