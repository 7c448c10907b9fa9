import GRDB
import Testing
@testable import LoyaltyKit

@Suite struct TableCheckTests {
    /// Each kind of check passes on good rows and reports the count and an example on bad ones.
    @Test func everyKindOfCheckFindsItsViolations() throws {
        let database = try DatabaseQueue()
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE parent (id INTEGER PRIMARY KEY);
                CREATE TABLE child (id INTEGER, parent_id INTEGER, kind TEXT, amount INTEGER);
                INSERT INTO parent VALUES (1), (2);
                INSERT INTO child VALUES (1, 1, 'a', 5), (2, 2, 'b', 7);
                """)
            let checks: [TableCheck] = [
                .unique("child", ["id"]), .notNull("child", "kind"), .references("child", "parent_id", "parent", "id"),
                .acceptedValues("child", "kind", ["a", "b"]), .holds("child", "amount > 0", describe: "id"),
            ]
            for check in checks { try check.verify(db, stage: "test") }

            try db.execute(sql: "INSERT INTO child VALUES (2, 9, NULL, -1), (3, 2, 'z', 1)")
            var failures: [String: Int] = [:]
            for check in checks {
                do {
                    try check.verify(db, stage: "test")
                } catch let LoyaltyError.checkFailed(_, name, violations, _) {
                    failures[name] = violations
                }
            }
            #expect(failures == [
                "unique child(id)": 1, "not null child.kind": 1, "child.parent_id references parent.id": 1,
                "child.kind in (a, b)": 1, "child: amount > 0": 1,
            ])
        }
    }
}
