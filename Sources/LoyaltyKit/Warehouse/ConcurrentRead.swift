import GRDB

/// A read that runs beside the caller's work: on its own thread and its own read-only connection
/// (WAL lets readers run side by side), so a single-threaded query uses the core a two-connection
/// scan leaves over. An in-memory warehouse has only one connection: its read runs in `result()`.
final class ConcurrentRead<Value> {
    private let warehouse: Warehouse
    private let body: (Database) throws -> Value
    private var worker: WorkerThread?
    private var value: Value?

    init(_ warehouse: Warehouse, _ body: @escaping (Database) throws -> Value) throws {
        self.warehouse = warehouse
        self.body = body
        guard warehouse.path != ":memory:" else { return }
        var configuration = Configuration()
        configuration.readonly = true
        let connection = try DatabaseQueue(path: warehouse.path, configuration: configuration)
        worker = WorkerThread(name: "concurrent-read") { [unowned self] in
            value = try connection.read(body)
        }
    }

    /// Waits for the read and returns its value (or rethrows its error).
    func result() throws -> Value {
        guard let worker else { return try warehouse.database.read(body) }
        try worker.result()
        guard let value else { throw LoyaltyError.warehouse(message: "a concurrent read did not finish") }
        return value
    }

    /// Waits for the read to end, ignoring its outcome (when the caller failed first).
    func cancel() { worker?.join() }
}
