import Foundation
import LoyaltyKit
import Logging

/// Runs the selected stages and prints what a person at a terminal wants to know afterwards.
enum StageInvocation {
    static func run(_ options: RunOptions, command: String) throws {
        let settings = try RunSettings.resolve(options)
        let selection = try StageSelection(only: options.only, from: options.from)
        let runner = PipelineRunner(stages: NightlyPipeline.stages(), logger: Logger(label: "loyalty"))
        let result = try runner.run(settings: settings, selection: selection, command: command)
        for stage in result.stages {
            print("\(stage.name): \(stage.report.rowsWritten) rows in \(String(format: "%.2f", stage.seconds)) s")
            for line in stage.report.summary { print("  \(line)") }
        }
        print("outputs: \(result.outputDirectory)/ (\(result.outputs.keys.sorted().joined(separator: ", ")))")
        print("warehouse: \(settings.warehousePath)")
    }
}
