import Foundation

/// What `loyalty rebuild` and `loyalty verify` do, for the CLI to call.
public enum AggregateCommands {
    /// Recomputes every aggregate from the order lines for the run's figures window, under the
    /// warehouse's run lock. - Returns: the summary line.
    public static func rebuild(settings: RunSettings) throws -> String {
        let lock = try RunLock(warehousePath: settings.warehousePath)
        defer { lock.release() }
        let warehouse = try Warehouse(path: settings.warehousePath, phoneRules: settings.config.ingest.phoneRules)
        let clock = try ZoneClock(identifier: settings.config.timezone)
        let window = FiguresWindow(asOf: settings.asOf, lookbackDays: settings.config.segment.lookbackDays, clock: clock)
        let report = try AggregateMaintenance(window: window, timezone: settings.config.timezone).rebuild(warehouse)
        return report.summary + " for the window " + describe(window, clock: clock)
    }

    /// Compares the aggregates with their reference definitions. - Returns: the report, and
    /// whether they all agree.
    public static func verify(settings: RunSettings) throws -> (text: String, agrees: Bool) {
        guard FileManager.default.fileExists(atPath: settings.warehousePath) else {
            throw LoyaltyError.usage("no warehouse at \(settings.warehousePath): give --warehouse FILE or run the pipeline first")
        }
        let warehouse = try Warehouse(path: settings.warehousePath, phoneRules: settings.config.ingest.phoneRules)
        guard let (window, differences) = try AggregateVerification.run(warehouse) else {
            return ("the aggregates have not been built yet: any stage after ingest, or `loyalty rebuild`, builds them\n", true)
        }
        let clock = try ZoneClock(identifier: settings.config.timezone)
        var text = "aggregates for the window \(describe(window, clock: clock)): "
        if differences.isEmpty {
            text += "all \(AggregateDefinitions.tables.count) tables equal their reference definitions\n"
            return (text, true)
        }
        text += "\(differences.count) of \(AggregateDefinitions.tables.count) tables differ from their reference definitions "
            + "(run `loyalty rebuild` to recompute them, and report the difference: it is a defect)\n"
        for difference in differences {
            text += "  \(difference.table): \(difference.maintainedOnly) row(s) only in the table, \(difference.referenceOnly) only in the reference\n"
            for example in difference.examples { text += "    \(example)\n" }
        }
        return (text, false)
    }

    static func describe(_ window: FiguresWindow, clock: ZoneClock) -> String {
        let last = CivilDate.format(clock.localDay(utcSeconds: window.until - 1))
        return (window.from.map { CivilDate.format(clock.localDay(utcSeconds: $0)) } ?? "all history") + " to " + last
    }
}
