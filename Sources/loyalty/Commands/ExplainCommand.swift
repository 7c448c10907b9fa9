import ArgumentParser
import LoyaltyKit

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why a customer got (or did not get) each offer: figures, segment, cluster, offers with reasons, dropped candidates.",
        discussion: "Reads the warehouse only; run the pipeline (or `loyalty offers`) for the --as-of first. See docs/offers.md.")

    @Option(help: "The customer_id to explain.")
    var customer: String

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let settings = try RunSettings.resolve(options.runOptions())
        print(try OfferExplanation.explain(customerId: customer, settings: settings), terminator: "")
    }
}
