import ArgumentParser
import Foundation
import LoyaltyKit
import Logging

/// The `loyalty` command: routes to one subcommand per action and maps failures to the contract's
/// exit status (0 success, 1 the run failed, 2 bad usage or configuration).
@main
struct LoyaltyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loyalty",
        abstract: "Nightly loyalty pipeline: ingest, segments, co-purchase pairs, offers, reports.",
        discussion: """
            Stages run in order against one SQLite warehouse: \(NightlyPipeline.contractStageNames.joined(separator: " → ")).
            Available now: \(NightlyPipeline.stages().map(\.name).joined(separator: ", ")).
            Defaults come from pipelines/nightly.yml (or --pipeline FILE); options beat the file.
            Exit status: 0 success, 1 the run failed, 2 bad usage or configuration.
            """,
        subcommands: [RunCommand.self, IngestCommand.self, EnrichCommand.self, SegmentCommand.self, PairsCommand.self, OffersCommand.self, PublishCommand.self, ExplainCommand.self, BacktestCommand.self, RebuildCommand.self, VerifyCommand.self, GenerateCommand.self])

    static func main() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOYALTY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as StageFailure {
            fail("\(failure)", code: failure.exitCode)
        } catch let error as LoyaltyError {
            fail("\(error)", code: error.exitCode)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Argument errors: the contract's status for bad usage is 2, not ArgumentParser's 64.
            fail(fullMessage(for: error), code: 2)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("loyalty: error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
