import ArgumentParser
import LoyaltyKit

struct EnrichCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrich",
        abstract: "Category paths, product profiles, product facts and category seasonality as of --as-of.",
        discussion: "Reads what ingest loaded. Writes product_facts.csv and category_seasonality.csv (see docs/outputs.md).")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "enrich"), command: "enrich")
    }
}
