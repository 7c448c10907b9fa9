import ArgumentParser
import LoyaltyKit

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "RFM figures, scores, segments, k-means clusters and customer value (P(alive), CLV) for every customer as of --as-of.",
        discussion: """
            Reads what ingest loaded into the warehouse. Writes customers_rfm.csv, segments.csv, \
            segment_thresholds.csv, clusters.csv and segment_migration.csv (see docs/segments.md), and \
            customer value: customer_value.csv and value_model.json (see docs/value.md).
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "segment"), command: "segment")
    }
}
