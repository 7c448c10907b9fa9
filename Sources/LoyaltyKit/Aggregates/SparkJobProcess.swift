import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// spark-submit as a process group of its own, stopped when loyalty is told to stop or the job
/// runs past its time.
///
/// Started with posix_spawn rather than Foundation's Process for two reasons. The child gets
/// default signal dispositions and an empty signal mask: a stage on a worker thread (which
/// blocks most signals) would otherwise pass SIGTERM and SIGCHLD blocked on to the JVM and its
/// shell launcher. And the group is known: a scheduler's SIGTERM or a Ctrl-C reaches loyalty
/// alone, which then stops the whole group (the JVM, its Python job, the executors) instead of
/// leaving it writing to the lake after the night was given up, racing the next night.
///
/// On SIGINT, SIGTERM or SIGHUP, or when the timeout passes, the group gets SIGTERM (the JVM's
/// shutdown hooks stop the executors), and SIGKILL `graceSeconds` later if still there. A loyalty
/// killed outright (SIGKILL) cannot do this: the job watches for that itself (`parent_pid`).
struct SparkJobProcess {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let graceSeconds = 20.0

    enum Ending: Equatable {
        case exited(Int32)
        case killed(signal: Int32)
        /// Stopped by loyalty: on a signal it received, or at the timeout.
        case stopped(reason: String)
    }

    /// Runs `arguments[0]` with its output (stdout and stderr) appended to `log`, and waits.
    static func run(_ arguments: [String], environment: [String: String], log: FileHandle, timeoutSeconds: Double?) throws -> Ending {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&files, log.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&files, log.fileDescriptor, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.keys.sorted().map { strdup("\($0)=\(environment[$0]!)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }

        // The handlers go in before the spawn, so a signal in between is not lost; they stop
        // the group only once its id is known.
        let previous = installHandlers()
        defer { restore(previous) }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &files, &attributes, argv, envp)
        guard spawned == 0 else { throw SpawnError(code: spawned) }
        runningGroup.store(pid, ordering: .sequentiallyConsistent)
        defer { runningGroup.store(0, ordering: .sequentiallyConsistent) }
        if signalReceived != 0 { kill(-pid, SIGTERM) }

        let started = Date()
        var stopReason: String?
        var stoppedAt: Date?
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { throw SpawnError(code: errno) }
            if stopReason == nil, signalReceived != 0 {
                stopReason = "loyalty received \(name(of: signalReceived))"
            } else if stopReason == nil, let timeoutSeconds, Date().timeIntervalSince(started) >= timeoutSeconds {
                stopReason = "it ran past spark.timeout_minutes (\(PipelineRunner.rounded(timeoutSeconds / 60)) min)"
                kill(-pid, SIGTERM)
            }
            if stopReason != nil {
                let since = stoppedAt ?? Date()
                stoppedAt = since
                if Date().timeIntervalSince(since) >= graceSeconds { kill(-pid, SIGKILL) }
            }
            usleep(100_000)
        }
        // The handler stops the group at once: the job may have ended before the loop saw why.
        if stopReason == nil, signalReceived != 0 { stopReason = "loyalty received \(name(of: signalReceived))" }
        // The executors may outlive the driver by a moment; a group that is gone makes this a no-op.
        if stopReason != nil { kill(-pid, SIGKILL) }
        if let stopReason { return .stopped(reason: stopReason) }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .killed(signal: status & 0x7f)
    }

    struct SpawnError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }

    // A signal handler can only reach globals; lock-free atomics are safe to touch in one, and
    // the loop on another thread reads what it wrote.
    private static let runningGroup = Atomic<pid_t>(0)
    private static let receivedSignal = Atomic<Int32>(0)

    private static var signalReceived: Int32 { receivedSignal.load(ordering: .sequentiallyConsistent) }

    private static func installHandlers() -> [sigaction] {
        receivedSignal.store(0, ordering: .sequentiallyConsistent)
        return signals.map { number in
            var action = sigaction(), previous = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                SparkJobProcess.receivedSignal.store(received, ordering: .sequentiallyConsistent)
                let group = SparkJobProcess.runningGroup.load(ordering: .sequentiallyConsistent)
                if group > 0 { kill(-group, SIGTERM) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, &previous)
            return previous
        }
    }

    private static func restore(_ previous: [sigaction]) {
        for (number, action) in zip(signals, previous) {
            var action = action
            sigaction(number, &action, nil)
        }
    }
}
