/// Every failure the pipeline reports, each with a message an on-call engineer can act on.
///
/// The CLI maps `exitCode`: 2 for bad usage or configuration (nothing ran), 1 for a run that failed.
public enum LoyaltyError: Error, CustomStringConvertible, Equatable {
    /// A file could not be created, read, written or renamed.
    case io(path: String, message: String)
    /// The pipeline file or an option holds a bad value; `line` is the YAML line when known.
    case config(file: String, line: Int?, key: String, message: String)
    /// A command-line option is missing or malformed.
    case usage(String)
    /// An input file cannot be read at all (bad header, not UTF-8, truncated gzip): nothing of it loads.
    case unreadableInput(file: String, line: Int?, message: String)
    /// Another process holds the warehouse lock.
    case locked(lockFile: String, holder: String)
    /// A stage's output check found rows that break it; the stage's writes were rolled back.
    case checkFailed(stage: String, check: String, violations: Int, example: String)
    /// A stage asked for a table an earlier stage should have filled.
    case missingPrerequisite(stage: String, message: String)
    /// The warehouse database refused an operation.
    case warehouse(message: String)
    /// The engine that maintains the aggregates (Spark) is missing or its job failed; the
    /// aggregates are as they were, and the loads so far reach them on the next run.
    case engine(stage: String, message: String)

    public var exitCode: Int32 {
        switch self {
        case .config, .usage: return 2
        default: return 1
        }
    }

    public var description: String {
        switch self {
        case let .io(path, message):
            return "\(path): \(message)"
        case let .config(file, line, key, message):
            let place = line.map { "\(file):\($0)" } ?? file
            return "\(place): configuration key '\(key)': \(message)"
        case let .usage(message):
            return message
        case let .unreadableInput(file, line, message):
            let place = line.map { "\(file):\($0)" } ?? file
            return "\(place): \(message); nothing of this file was loaded, fix it and rerun ingest"
        case let .locked(lockFile, holder):
            return "the warehouse is in use by another run (\(holder)); lock file \(lockFile). "
                + "Wait for it to finish; the lock is released automatically when that process exits"
        case let .checkFailed(stage, check, violations, example):
            return "stage \(stage): check '\(check)' failed for \(violations) row(s), e.g. \(example); "
                + "the stage's changes were rolled back"
        case let .missingPrerequisite(stage, message):
            return "stage \(stage): \(message)"
        case let .warehouse(message):
            return "warehouse: \(message)"
        case let .engine(stage, message):
            return "stage \(stage): \(message); the aggregates and the last outputs are as they were "
                + "(lines already loaded are kept and reach the aggregates on the next run)"
        }
    }
}
