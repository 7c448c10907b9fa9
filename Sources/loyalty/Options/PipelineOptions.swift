import ArgumentParser
import LoyaltyKit

/// Options every pipeline command takes; each beats the pipeline file's value.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Delivery folder with the input files (config: input).")
    var input: String?

    @Option(name: .customLong("as-of"), help: "Analysis date YYYY-MM-DD (default: yesterday in the configured time zone).")
    var asOf: String?

    @Option(help: "Output folder for this run (default: <output>/<as-of>/).")
    var out: String?

    @Option(help: "Pipeline file (default: pipelines/nightly.yml).")
    var pipeline: String?

    @Option(help: "Warehouse SQLite file (config: warehouse, default var/warehouse.sqlite).")
    var warehouse: String?

    func runOptions(only: String? = nil, from: String? = nil) -> RunOptions {
        RunOptions(pipeline: pipeline, input: input, asOf: asOf, out: out, warehouse: warehouse, only: only, from: from)
    }
}
