import Foundation
import GRDB

/// The embedded SQLite warehouse: one file holding every stage's tables, its schema kept by
/// GRDB's migrator. Stages read and write it only through the `DatabaseQueue` it owns.
public final class Warehouse {
    public let path: String
    public let database: DatabaseQueue

    /// Opens (creating if needed) the warehouse at `path`, or an in-memory one for `":memory:"`.
    /// - Parameter phoneRules: the pipeline's, should an upgrade have to validate stored phone numbers.
    /// - Throws: `LoyaltyError.warehouse` when the file cannot be opened or migrated.
    public init(path: String, phoneRules: PhoneRules = PhoneRules()) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "warehouse"
        configuration.prepareDatabase { db in
            // WAL lets BI tools read the warehouse while a run writes; NORMAL sync is durable at
            // every commit in WAL mode and several times faster than FULL for bulk loads.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -131072") // 128 MiB
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            if path == ":memory:" {
                database = try DatabaseQueue(configuration: configuration)
            } else {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                database = try DatabaseQueue(path: path, configuration: configuration)
            }
            try WarehouseSchema.migrator(phoneRules: phoneRules).migrate(database)
        } catch let error as DatabaseError {
            throw LoyaltyError.warehouse(message: "cannot open \(path): \(error.message ?? "\(error)")")
        }
    }

    /// Row count of a table (for ledgers, manifests and tests).
    public func count(_ table: String) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}
