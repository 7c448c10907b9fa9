import ArgumentParser
import LoyaltyKit

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Reports for marketers and BI tools as of --as-of, offer effectiveness, and the HTML report.",
        discussion: """
            Writes kpi_summary.json, segments_report.csv, product_kpis.csv, product_segments.csv, category_month.csv, \
            cohort_retention.csv, contact_hours.csv, lists/SEGMENT.csv, effectiveness.csv, effectiveness_checks.csv and \
            report.html (see docs/outputs.md). Run segment first (and offers, for the offer charts).

            Offers whose attribution window (publish.attribution_days, default 14) has closed by --as-of are measured once \
            against their control group and kept in the warehouse; a failed sample-ratio or contamination check is a \
            warning (see docs/operations.md).
            """)

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "publish"), command: "publish")
    }
}
