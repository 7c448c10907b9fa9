import ArgumentParser
import LoyaltyKit

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load a delivery folder into the warehouse; bad rows go to rejects.csv, invalid addresses to contact_issues.csv.",
        discussion: """
            Reads categories, products, product_attributes, customers, suppressions, transactions and offer_events \
            (.csv, .csv.gz, .jsonl or .jsonl.gz) from --input. Reloading a delivery changes nothing. \
            Customers' email and phone are validated (phones to E.164; national numbers need \
            ingest.phone_country_code): a customer with an invalid address loads without it, and the \
            address is listed with its reason in contact_issues.csv. See docs/inputs.md.
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "ingest"), command: "ingest")
    }
}
