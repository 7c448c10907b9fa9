import Foundation
import Testing
@testable import LoyaltyKit

/// Hostile values (formulas, DDE payloads, quotes, line breaks, a 20,000-character name) in every
/// customer, product and category field that reaches an output, through the whole pipeline; then
/// every CSV output read back by two CSV parsers (this project's and Python's `csv`): every row
/// parses, and no cell starts like a formula unless it is a number or a validated phone number.
@Suite struct HostileValuesTests {
    static let longName = "=" + String(repeating: "x", count: 20_000)
    /// First characters a spreadsheet takes for a formula.
    static let leaders: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    func delivery(_ root: String) throws -> String {
        let input = root + "/in"
        let evilCategory = #""=HYPERLINK(""http://evil.example"",""x"")""#
        try write(#"""
            category_id,parent_id,name
            \#(evilCategory),,"@SUM(1+1)*cmd|' /C calc'!A0"
            +CAT2,\#(evilCategory),"-2+3 ""quoted"", with a comma
            and a line break"

            """#, to: input + "/categories.csv")
        try write(#"""
            product_id,name,category_id,brand,price,cost
            =P1,=1+1 name,+CAT2,@brand,10.00,4.00
            -P2,+cmd|' /C calc'!A0,+CAT2,=brand,20.00,5.00
            @P3,"\#t=tab first",\#(evilCategory),,5.00,1.00
            P4,\#(Self.longName),+CAT2,,7.00,2.00

            """#, to: input + "/products.csv")
        try write("product_id,attribute,value\n=P1,tag,=evil tag\n=P1,season,+summer\n", to: input + "/product_attributes.csv")
        try write(#"""
            customer_id,email,phone,first_name,birth_date,city,region,consent_email,consent_sms,consent_push
            =C1,anna@example.com,+4915123456789,=1+1,1990-11-25,@city,-region,yes,yes,yes
            +C2,=cmd|'/C calc'!A0@example.com,+49 (0)30 1234567,"""quoted"", name",,=city,+region,yes,yes,yes
            -C3,ben@example.com,=+4930,"line1
            line2",,,,yes,no,no
            @C4,,,Zoë 🎉 =x,,"\#r=cr first",,no,no,yes
            =C1,dup@example.com,,=dup,,,,no,no,no

            """#, to: input + "/customers.csv")
        var lines = ["order_id,customer_id,ordered_at,product_id,quantity,unit_price,discount,store_id,channel"]
        let orders: [(String, String, String, [String])] = [
            ("=O1", "=C1", "2026-09-01", ["=P1", "-P2"]), ("+O2", "+C2", "2026-09-05", ["=P1", "-P2"]),
            ("-O3", "-C3", "2026-10-01", ["=P1", "-P2", "@P3"]), ("@O4", "=C1", "2026-10-20", ["@P3", "P4"]),
            ("=O5", "@C4", "2026-11-02", ["=P1", "P4"]), ("=O6", "=C1", "2026-11-10", ["=P1", "-P2"]),
            ("+O7", "", "2026-11-12", ["@P3", "P4"]), ("-O8", "+C2", "2026-11-15", ["@P3", "P4", "=P1"]),
        ]
        for (order, customer, day, products) in orders {
            for product in products { lines.append("\(order),\(customer),\(day)T10:00:00Z,\(product),1,10.00,,=S1,@web") }
        }
        try write(lines.joined(separator: "\n") + "\n", to: input + "/transactions.csv")
        try write("customer_id,email,phone,channel,reason,since,until\n=C9,,,,=reason,,\n", to: input + "/suppressions.csv")
        return input
    }

    func pipeline(_ root: String) throws -> String {
        let path = root + "/hostile.yml"
        try write("""
            timezone: UTC
            ingest: {phone_country_code: 49}
            pairs: {min_count: 2}
            channels:
              card: {consent: none, address: customer_id, fields: [first_name, product_name, reason]}
            offers:
              holdout_share: 0
              evidence_column: true
              feed_fields: [first_name, product_id, product_name, category_id, price, discount_pct, discounted_price, valid_from, valid_to, segment, offer_type, reason]
            publish:
              list_fields: [first_name, email, phone, city, region, birth_date, signup_date, consent_email, consent_sms, consent_push, recency_days, frequency, monetary, cluster]
            """, to: path)
        return path
    }

    /// Every CSV file under `folder`, by path relative to it.
    func csvFiles(_ folder: String) throws -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".csv") }.sorted()
    }

    @Test func everyOutputParsesAndNoCellStartsLikeAFormula() throws {
        let root = try temporaryFolder()
        try runPipeline(input: try delivery(root), root: root, pipeline: try pipeline(root))
        let out = root + "/out"
        let files = try csvFiles(out)
        #expect(files.count > 25)
        var parsed: [String: [[String]]] = [:]
        var escapedCells = 0
        for file in files {
            let rows = try readCSV(out + "/" + file)
            parsed[file] = rows
            for row in rows.dropFirst() {
                #expect(row.count == rows[0].count, "\(file): a row of \(row.count) cells under \(rows[0].count) columns")
                for (column, cell) in row.enumerated() {
                    if cell.hasPrefix("'"), let second = cell.dropFirst().first, Self.leaders.contains(second) { escapedCells += 1 }
                    guard let first = cell.first, Self.leaders.contains(first) else { continue }
                    // Only a number as the pipeline writes them, or a validated phone in a phone column.
                    let isNumber = cell.wholeMatch(of: #/-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?/#) != nil
                    let isPhone = rows[0][column] == "phone" && cell.wholeMatch(of: #/\+[1-9][0-9]{7,14}/#) != nil
                    #expect(isNumber || isPhone, "\(file): a cell starts like a formula: \(cell.prefix(60))")
                }
            }
        }
        #expect(escapedCells > 100)

        // The values come through whole, behind the one quote the escaping adds.
        let email = try #require(parsed["feeds/email.csv"])
        let anna = try #require(email.first { $0[1] == "'=C1" })
        #expect(anna[2] == "anna@example.com" && anna[3] == "'=1+1")
        // +C2's address was a formula, so it is no address: C2 goes to push, not email.
        #expect(!email.contains { $0[1] == "'+C2" })
        #expect(try #require(parsed["contact_issues.csv"]).contains(["'+C2", "email", "'=cmd|'/C calc'!A0@example.com",
                                                                      "starts with '=', which spreadsheets run as a formula"]))
        let sms = try #require(parsed["feeds/sms.csv"])
        #expect(sms.dropFirst().allSatisfy { $0[2] == "+4915123456789" || $0[2] == "+49301234567" })
        let kpis = try #require(parsed["product_kpis.csv"])
        #expect(kpis.contains { $0[0] == "P4" && $0[1] == "'" + Self.longName })
        #expect(kpis.contains { $0[0] == "'@P3" && $0[1] == "'\t=tab first" })
        let lists = files.filter { $0.hasPrefix("lists/") }.flatMap { parsed[$0]!.dropFirst() }
        #expect(lists.contains { $0[0] == "'-C3" && $0[1] == "line1\nline2" })
        #expect(lists.contains { $0[0] == "'@C4" && $0[4] == "'\r=cr first" })
        let rejects = try #require(parsed["rejects.csv"])
        #expect(rejects.contains { $0[0] == "customers.csv" && $0[3].hasPrefix("'=C1,dup@example.com") })
        let facts = try #require(parsed["product_facts.csv"])
        #expect(facts.contains { $0[0] == "'=P1" && $0[12] == "'+summer" && $0[13] == "'=evil tag" })

        // JSON Lines stay plain JSON: the value as delivered, escaped for JSON only.
        let push = try String(contentsOfFile: out + "/feeds/push.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(!push.isEmpty)
        for line in push {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
        #expect(push.contains { $0.contains(#""customer_id":"@C4","first_name":"Zoë 🎉 =x""#) && $0.contains(#""product_name":"\t=tab first""#) })

        // A second parser, Python's csv module, reads every file to the same cells.
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("python3 is missing: the second CSV parser did not run")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import csv, json, sys
            out = {}
            for name in sys.argv[2:]:
                with open(sys.argv[1] + "/" + name, newline="", encoding="utf-8") as f:
                    out[name] = [row for row in csv.reader(f, strict=True)]
            json.dump(out, sys.stdout)
            """, out] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String]]])
        for file in files {
            #expect(reference[file] == parsed[file], "\(file): the two CSV parsers disagree")
        }
    }

    @Test func aFileThatIsNotUTF8LoadsNothingAndSaysWhere() throws {
        let root = try temporaryFolder()
        let input = root + "/in"
        try write("category_id,name\nHOT,Hot drinks\n", to: input + "/categories.csv")
        var bytes = Array("customer_id,first_name\nC1,Anna\nC2,".utf8)
        bytes += [0xC3, 0x28] // a lead byte without its continuation
        bytes += Array("\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: input + "/customers.csv"))
        #expect {
            try runPipeline(input: input, root: root, selection: .only("ingest"))
        } throws: { error in
            "\(error)".contains("customers.csv:3: the row is not valid UTF-8") && "\(error)".contains("nothing of this file was loaded")
        }
        #expect(try scalar(try Warehouse(path: root + "/warehouse.sqlite"), "SELECT COUNT(*) FROM customer") == 0)
    }
}
