import ArgumentParser
import LoyaltyKit

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline's stages in order (all, --only one, or --from one onwards).")

    @OptionGroup var options: PipelineOptions

    @Option(help: "Run only this stage.")
    var only: String?

    @Option(help: "Run this stage and every one after it.")
    var from: String?

    func validate() throws {
        if only != nil && from != nil { throw ValidationError("give either --only or --from, not both") }
    }

    func run() throws {
        try StageInvocation.run(options.runOptions(only: only, from: from), command: "run")
    }
}
