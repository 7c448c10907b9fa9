import Foundation

/// `manifest.json`: what a run read and wrote, for BI users and audits. Keys are sorted and
/// arrays ordered so that two manifests differ only where the runs did (ids, clock times, timings).
struct RunManifest {
    static let fileName = "manifest.json"

    let runKey: Int64
    let command: String
    let settings: RunSettings
    let startedAt: String
    let finishedAt: String
    let stages: [(name: String, seconds: Double, rowsWritten: Int)]
    let inputs: [InputFileReport]
    let outputs: [String: Int]

    func json() throws -> String {
        let document: [String: Any] = [
            "run_id": "run-\(runKey)",
            "command": command,
            "as_of": settings.asOfText,
            "config_digest": settings.config.digest,
            "pipeline_file": settings.pipelinePath ?? "(built-in defaults)",
            "timezone": settings.config.timezone,
            "started_at": startedAt,
            "finished_at": finishedAt,
            "inputs": inputs.sorted { ($0.entity, $0.path) < ($1.entity, $1.path) }.map { input -> [String: Any] in
                [
                    "entity": input.entity, "path": input.path, "checksum_sha256": input.checksumSHA256,
                    "bytes": input.bytes, "rows_loaded": input.rowsLoaded, "rows_rejected": input.rowsRejected,
                ]
            },
            "stages": stages.map { stage -> [String: Any] in
                ["name": stage.name, "seconds": PipelineRunner.rounded(stage.seconds), "rows_written": stage.rowsWritten]
            },
            "outputs": outputs.keys.sorted().filter { $0 != Self.fileName }.map { name -> [String: Any] in
                ["file": name, "rows": outputs[name] ?? 0]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
