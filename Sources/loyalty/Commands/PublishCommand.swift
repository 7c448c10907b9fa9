import ArgumentParser
import LoyaltyKit

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Reports for marketers and BI tools, as of --as-of: KPI summary and the segments decoded.",
        discussion: "Writes kpi_summary.json and segments_report.csv (see docs/outputs.md). Run segment first.")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "publish"), command: "publish")
    }
}
