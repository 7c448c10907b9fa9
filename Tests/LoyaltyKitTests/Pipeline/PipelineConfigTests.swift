import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct PipelineConfigTests {
    @Test func emptyFileGivesTheContractDefaults() throws {
        let config = try PipelineConfig.parse(yaml: "", file: "p.yml")
        #expect(config.output == "out")
        #expect(config.warehouse == "var/warehouse.sqlite")
        #expect(config.timezone == "UTC")
        #expect(config.seed == 42)
        #expect(config.segment.bins == 5)
        #expect(config.segment.k == nil)
        #expect(config.segment.nInit == 10)
        #expect(config.segment.rules.count == 10)
        #expect(config.pairs.minCount == 2)
        #expect(config.offers.maxPerCustomer == 3)
        #expect(config.offers.holdoutShare == 0.05)
        #expect(config.offers.rankBy == .expectedValue)
    }

    @Test func shippedPipelineFilesAreValid() throws {
        let nightly = try PipelineConfig.load(path: packageRoot + "/pipelines/nightly.yml")
        #expect(nightly == PipelineConfig())
        let demo = try PipelineConfig.load(path: packageRoot + "/pipelines/demo.yml")
        #expect(demo.input == "fixtures/demo")
    }

    @Test func unknownKeyNamesItsLineAndKey() {
        let yaml = "seed: 7\nsegment:\n  bins: 5\n  binz: 4\n"
        #expect(throws: LoyaltyError.config(file: "p.yml", line: 4, key: "segment.binz",
                                            message: "unknown key (known keys here: bins, cut_points, k, k_range, lookback_days, max_iter, n_init, rules)")) {
            try PipelineConfig.parse(yaml: yaml, file: "p.yml")
        }
    }

    @Test func badValuesNameTheirLine() throws {
        let cases: [(String, Int, String)] = [
            ("seed: many\n", 1, "seed"),
            ("pairs:\n  min_count: 0\n", 2, "pairs.min_count"),
            ("offers:\n  holdout_share: 0.9\n", 2, "offers.holdout_share"),
            ("offers:\n  evidence_column: maybe\n", 2, "offers.evidence_column"),
            ("offers:\n  rank_by: margin\n", 2, "offers.rank_by"),
            ("timezone: Mars/Base\n", 1, "timezone"),
            ("segment:\n  k: lots\n", 2, "segment.k"),
            ("segment:\n  cut_points:\n    recency: [30, 10, 60, 90]\n", 3, "segment.cut_points.recency"),
            ("segment:\n  cut_points:\n    monetary: [1, 2]\n", 3, "segment.cut_points.monetary"),
            ("segment:\n  rules:\n    - name: X\n      recency: [4, 2]\n", 4, "segment.rules.recency"),
            ("publish:\n  attribution_days: 90\n", 2, "publish.attribution_days"),
            ("publish:\n  attribution_days: 7\n  effectiveness_days: 7\n", 3, "publish.effectiveness_days"),
        ]
        expectConfigErrors(cases)
    }

    @Test func sparkEngineSettingsAreReadAndChecked() throws {
        let yaml = """
            engine: spark
            spark:
              submit: .venv-spark/bin/spark-submit
              master: local-cluster[2,1,1024]
              conf:
                spark.executor.memory: 1g
                spark.sql.shuffle.partitions: 8
              lake: s3a://shop-lake/order_lines
              timeout_minutes: 240
              staging: hdfs://namenode/loyalty/staging
            """
        let config = try PipelineConfig.parse(yaml: yaml, file: "p.yml")
        #expect(config.engine == .spark)
        #expect(config.spark.submit == ".venv-spark/bin/spark-submit" && config.spark.master == "local-cluster[2,1,1024]")
        #expect(config.spark.conf == ["spark.executor.memory": "1g", "spark.sql.shuffle.partitions": "8"])
        #expect(config.spark.lake == "s3a://shop-lake/order_lines")
        #expect(config.spark.timeoutMinutes == 240)
        #expect(config.spark.staging == "hdfs://namenode/loyalty/staging")
        #expect(try PipelineConfig.parse(yaml: "", file: "p.yml").spark.staging == nil)
        #expect(SparkSubmit(config: config.spark, stage: "ingest", logger: quietLogger).timeoutSeconds == 14_400)
        #expect(try PipelineConfig.parse(yaml: "", file: "p.yml").spark.timeoutMinutes == nil)
        // The engine is not a figure setting: both engines give the same outputs, so the same digest.
        #expect(config.digest == PipelineConfig().digest)
        #expect(try PipelineConfig.parse(yaml: "", file: "p.yml").engine == .sqlite)
        for master in ["local", "local[*]", "local[4]", "local[2,3]", "yarn", "k8s://https://k8s.example:6443", "spark://host:7077"] {
            #expect(SparkConfig.isMaster(master), "\(master)")
        }
        for master in ["local[0]", "locl[2]", "local-cluster[2,1]", "yarn-client", "k8s://", ""] {
            #expect(!SparkConfig.isMaster(master), "\(master)")
        }
        expectConfigErrors([
            ("engine: duckdb\n", 1, "engine"),
            ("engine: spark\n", 1, "engine"),                          // no lake
            ("spark:\n  master: local[0]\n", 2, "spark.master"),
            ("spark:\n  conf:\n    executor.memory: 1g\n", 3, "spark.conf.executor.memory"),
            ("spark:\n  conf:\n    spark.jars: [a, b]\n", 3, "spark.conf.spark.jars"),
            ("spark:\n  lakes: /tmp/x\n", 2, "spark.lakes"),
            ("spark:\n  timeout_minutes: 0\n", 2, "spark.timeout_minutes"),
            ("spark:\n  timeout_minutes: 2h\n", 2, "spark.timeout_minutes"),
            ("spark:\n  staging: \"\"\n", 2, "spark.staging"),
        ])
    }

    @Test func yamlSyntaxErrorsNameTheirLine() {
        do {
            _ = try PipelineConfig.parse(yaml: "seed: 1\nsegment: [unclosed\n", file: "p.yml")
            Issue.record("no error")
        } catch let LoyaltyError.config(_, line, _, message) {
            #expect(line != nil)
            #expect(message.contains("YAML"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rulesCutPointsAndKAreRead() throws {
        let config = try PipelineConfig.parse(yaml: """
            segment:
              k: 6
              lookback_days: 365
              cut_points:
                recency: [10, 30, 60, 120]
              rules:
                - {name: Best, recency: [4, 5], frequency: [4, 5], monetary: [4, 5]}
                - name: Rest
            """, file: "p.yml")
        #expect(config.segment.k == 6)
        #expect(config.segment.lookbackDays == 365)
        #expect(config.segment.cutPoints.recency == [10, 30, 60, 120])
        #expect(config.segment.cutPoints.frequency == nil)
        #expect(config.segment.rules == [
            SegmentRule(name: "Best", recency: 4...5, frequency: 4...5, monetary: 4...5),
            SegmentRule(name: "Rest", recency: 1...5, frequency: 1...5, monetary: 1...5),
        ])
    }

    @Test func digestChangesWithFigureSettingsOnly() throws {
        let base = try PipelineConfig.parse(yaml: "input: a\n", file: "p.yml")
        let otherFolder = try PipelineConfig.parse(yaml: "input: b\noutput: elsewhere\n", file: "p.yml")
        let otherSeed = try PipelineConfig.parse(yaml: "seed: 43\n", file: "p.yml")
        #expect(base.digest == otherFolder.digest)
        #expect(base.digest != otherSeed.digest)
    }

    @Test func optionsBeatTheFile() throws {
        let root = try temporaryFolder()
        try write("input: from-file\nwarehouse: file.sqlite\noutput: file-out\n", to: root + "/p.yml")
        let fromFile = try RunSettings.resolve(RunOptions(pipeline: root + "/p.yml", asOf: "2026-11-21"))
        #expect(fromFile.inputDirectory == "from-file")
        #expect(fromFile.warehousePath == "file.sqlite")
        #expect(fromFile.outputDirectory == "file-out/2026-11-21")
        let overridden = try RunSettings.resolve(RunOptions(pipeline: root + "/p.yml", input: "cli", asOf: "2026-11-21", out: "o", warehouse: "w"))
        #expect(overridden.inputDirectory == "cli")
        #expect(overridden.warehousePath == "w")
        #expect(overridden.outputDirectory == "o")
        // Without --as-of: yesterday.
        let today = CivilDate.days(year: 2026, month: 11, day: 22)
        #expect(try RunSettings.resolve(RunOptions(pipeline: root + "/p.yml"), today: today).asOfText == "2026-11-21")
        #expect(throws: LoyaltyError.self) { try RunSettings.resolve(RunOptions(pipeline: root + "/p.yml", asOf: "21.11.2026")) }
        #expect(throws: LoyaltyError.self) { try RunSettings.resolve(RunOptions(pipeline: root + "/missing.yml")) }
    }
}
