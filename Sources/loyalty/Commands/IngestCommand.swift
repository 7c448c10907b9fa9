import ArgumentParser
import LoyaltyKit

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load a delivery folder into the warehouse; bad rows go to rejects.csv.",
        discussion: """
            Reads categories, products, product_attributes, customers, transactions and offer_events
            (.csv, .csv.gz, .jsonl or .jsonl.gz) from --input. Reloading a delivery changes nothing.
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "ingest"), command: "ingest")
    }
}
