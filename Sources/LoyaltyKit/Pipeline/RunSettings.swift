import Foundation

/// Options given on the command line; each one beats the pipeline file.
public struct RunOptions: Equatable, Sendable {
    public var pipeline: String?
    public var input: String?
    public var asOf: String?
    public var out: String?
    public var warehouse: String?
    public var only: String?
    public var from: String?

    public init(pipeline: String? = nil, input: String? = nil, asOf: String? = nil, out: String? = nil,
                warehouse: String? = nil, only: String? = nil, from: String? = nil) {
        self.pipeline = pipeline
        self.input = input
        self.asOf = asOf
        self.out = out
        self.warehouse = warehouse
        self.only = only
        self.from = from
    }
}

/// The effective settings of one run: the pipeline file, overridden by options, resolved.
public struct RunSettings: Sendable {
    public static let defaultPipeline = "pipelines/nightly.yml"

    public var config: PipelineConfig
    /// The pipeline file read, or nil when the built-in defaults were used.
    public var pipelinePath: String?
    public var inputDirectory: String?
    /// The analysis day, as days since 1970-01-01 in the configured zone.
    public var asOf: Int64
    public var outputDirectory: String
    public var warehousePath: String

    public var asOfText: String { CivilDate.format(asOf) }

    public init(config: PipelineConfig, pipelinePath: String?, inputDirectory: String?, asOf: Int64,
                outputDirectory: String, warehousePath: String) {
        self.config = config
        self.pipelinePath = pipelinePath
        self.inputDirectory = inputDirectory
        self.asOf = asOf
        self.outputDirectory = outputDirectory
        self.warehousePath = warehousePath
    }

    /// Reads the pipeline file (`--pipeline`, else `pipelines/nightly.yml` if present, else the
    /// built-in defaults) and applies the options.
    /// - Parameter today: the local day used only when no `as_of` is given (default: the clock).
    /// - Throws: `LoyaltyError.config` or `.usage` (exit status 2).
    public static func resolve(_ options: RunOptions, today: Int64? = nil) throws -> RunSettings {
        var config = PipelineConfig()
        var pipelinePath: String?
        if let explicit = options.pipeline {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw LoyaltyError.usage("--pipeline \(explicit): no such file")
            }
            pipelinePath = explicit
        } else if FileManager.default.fileExists(atPath: defaultPipeline) {
            pipelinePath = defaultPipeline
        }
        if let pipelinePath { config = try PipelineConfig.load(path: pipelinePath) }

        let clock = try ZoneClock(identifier: config.timezone)
        let asOf: Int64
        if let text = options.asOf {
            guard let day = CivilDate.parse(text) else {
                throw LoyaltyError.usage("--as-of \(text): expected a date YYYY-MM-DD, e.g. 2026-11-21")
            }
            asOf = day
        } else {
            // Yesterday: the last full day in the configured zone.
            asOf = (today ?? clock.today()) - 1
        }
        let asOfText = CivilDate.format(asOf)
        let output = options.out ?? (config.output as NSString).appendingPathComponent(asOfText)
        return RunSettings(
            config: config, pipelinePath: pipelinePath, inputDirectory: options.input ?? config.input,
            asOf: asOf, outputDirectory: output, warehousePath: options.warehouse ?? config.warehouse)
    }
}
