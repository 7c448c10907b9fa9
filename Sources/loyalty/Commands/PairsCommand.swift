import ArgumentParser
import LoyaltyKit

struct PairsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairs",
        abstract: "Products and categories bought together: support, confidence, lift and more, as of --as-of.",
        discussion: "Writes product_pairs.csv, category_pairs.csv and product_partners.csv (see docs/pairs.md).")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try StageInvocation.run(options.runOptions(only: "pairs"), command: "pairs")
    }
}
