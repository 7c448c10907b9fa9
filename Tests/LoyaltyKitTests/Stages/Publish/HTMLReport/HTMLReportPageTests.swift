import Foundation
import Testing
@testable import LoyaltyKit

/// report.html as the publish stage writes it, on hand-made deliveries.
@Suite struct HTMLReportPageTests {
    func report(_ root: String) throws -> String {
        try String(contentsOfFile: root + "/out/report.html", encoding: .utf8)
    }

    /// The text of one chart's `<figure>`.
    func figure(_ id: String, in page: String) -> String {
        guard let start = page.range(of: "<figure data-chart=\"\(id)\">"),
              let end = page.range(of: "</figure>", range: start.upperBound..<page.endIndex) else { return "" }
        return String(page[start.lowerBound..<end.upperBound])
    }

    @Test func everyChartSectionHasOneSVGAndTheRFCellsAreTheCustomersMeans() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/segment"), root: root)
        let page = try report(root)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        #expect(page.components(separatedBy: "<svg").count - 1 == ReportPage.chartIDs.count)
        for id in ReportPage.chartIDs {
            #expect(page.components(separatedBy: "<figure data-chart=\"\(id)\"><svg").count - 1 == 1, "chart \(id)")
        }
        // Self-contained: no script, and no address but the SVG namespace's.
        #expect(!page.contains("<script") && !page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("://"))

        // Scored customers as of 2026-11-21 (see PublishStageTests): recency 0, 1, 30, 365 days
        // give cut points 1.6, 7.8, 25.2, 165 (+1 on R's interpolated quantiles), so C6 and C1
        // score R 5, C2 R 2, C5 R 1; frequencies 1, 1, 1, 3 cut at 2, 2, 2, 2.8, so C1 is F 5
        // and the rest F 1. Monetary: C1 100 + 50 + 30 − 5 = 175, C6 5, C2 40 − 40 = 0, C5 500.
        let rf = figure("rf", in: page)
        for cell in ["R 5 · F 5: 1 customer, mean monetary 175.00", "R 5 · F 1: 1 customer, mean monetary 5.00",
                     "R 2 · F 1: 1 customer, mean monetary 0.00", "R 1 · F 1: 1 customer, mean monetary 500.00"] {
            #expect(rf.contains("<title>\(cell)</title>"), "\(cell)")
        }
        #expect(rf.components(separatedBy: ": no customers</title>").count - 1 == 25 - 4)
        // The same figures as customers_rfm.csv, read independently.
        let customers = try readCSV(root + "/out/customers_rfm.csv").dropFirst()
        #expect(Set(customers.filter { !$0[6].isEmpty }.map { "\($0[0]) \($0[6]) \($0[7]) \($0[3])" })
            == ["C1 5 5 175.00", "C6 5 1 5.00", "C2 2 1 0.00", "C5 1 1 500.00"])

        // A first run: the migration chart says so instead of drawing an empty grid.
        #expect(figure("migration", in: page).contains("<text class=\"empty\" x=\"480\" y=\"37\" text-anchor=\"middle\" font-size=\"15\">First run: no migration yet"))
        // Six customers: two without a purchase (C3, C4) are a third of them.
        #expect(figure("segments", in: page).contains(">33.3% · 2</text>"))
        // Headline: revenue 759.00 in 7 orders (PublishStageTests works them out).
        #expect(page.contains("<dt>Revenue</dt><dd>759.00</dd>") && page.contains("<dt>Orders</dt><dd>7</dd>"))
        #expect(try manifestOutputs(root)["report.html"] == 0)
    }

    @Test func theSameDataGivesTheSameBytes() throws {
        let first = try temporaryFolder(), second = try temporaryFolder()
        try runPipeline(input: fixture("cases/segment"), root: first)
        try runPipeline(input: fixture("cases/segment"), root: second)
        #expect(try report(first) == report(second))
        // A rerun into the same warehouse changes nothing either (the run's own history is no input).
        let before = try report(first)
        try runPipeline(input: fixture("cases/segment"), root: first)
        #expect(try report(first) == before)
    }

    @Test func namesFromCustomerDataAreEscaped() throws {
        let root = try temporaryFolder()
        let input = root + "/input"
        try write("category_id,parent_id,name\nK,,<script>alert(1)</script>\n", to: input + "/categories.csv")
        try write("product_id,name,category_id,price\nX,\"Tom & Jerry \"\"mug\"\"\",K,2.00\nY,<img src=x onerror=alert(1)>,K,3.00\n",
                  to: input + "/products.csv")
        try write("customer_id\nC1\nC2\n", to: input + "/customers.csv")
        try write("""
            order_id,customer_id,ordered_at,product_id,quantity,unit_price
            O1,C1,2026-11-01T10:00:00Z,X,1,2.00
            O1,C1,2026-11-01T10:00:00Z,Y,1,3.00
            O2,C2,2026-11-02T10:00:00Z,X,1,2.00
            O2,C2,2026-11-02T10:00:00Z,Y,1,3.00

            """, to: input + "/transactions.csv")
        try runPipeline(input: input, root: root)
        let page = try report(root)
        #expect(!page.contains("<script") && !page.contains("<img"))
        // The pair (bought together twice) and the category (in the seasonality legend).
        #expect(figure("pairs", in: page).contains("Tom &amp; Jerry &quot;mug&quot; + &lt;img src=x onerror=alert(1)&gt;"))
        #expect(figure("seasonality", in: page).contains(">&lt;script&gt;alert(1)&lt;/script&gt;</text>"))
    }

    @Test func effectivenessIsAForestPlotOfTheRowsGiven() {
        var data = ReportData(asOf: "2026-11-21")
        data.segments = [SegmentsReport.Row(segment: HTMLReportChartTests.hostile, customers: 3, revenueMinor: 10_000)]
        data.effects = [
            ReportData.Effect(offerType: "cross_sell", segment: "Champions", treated: 1200, control: 60, uplift: 0.03, low: 0.01, high: 0.05),
            ReportData.Effect(offerType: "win_back", segment: "Lost", treated: 300, control: 20, uplift: -0.01, low: -0.04, high: 0.02),
        ]
        data.effectsWithoutControl = 1
        let page = ReportPage.html(data)
        let plot = figure("effectiveness", in: page)
        // Two intervals and two points; the cell without a control group is counted under the chart.
        #expect(plot.components(separatedBy: "class=\"mark\"").count - 1 == 4)
        #expect(plot.contains(">+3.0 pp [+1.0 pp, +5.0 pp] · 1,200 vs 60</text>"))
        #expect(page.contains("1 offer type × segment cell with nobody on one side (no control customers, or none sent) is only in effectiveness.csv."))
        #expect(plot.contains("<line class=\"zero\""))
        // A segment name from the configuration reaches the chart, the table and nothing else raw.
        #expect(!page.contains("<script") && page.components(separatedBy: HTMLReportChartTests.escapedHostile).count - 1 >= 2)

        data.effects = []
        #expect(figure("effectiveness", in: ReportPage.html(data)).contains(">No offer has a closed attribution window yet</text>"))
    }

    /// The value section states value_model.json's check of the Gamma-Gamma assumption.
    @Test func valueSectionSaysHowFrequencyAndSpendCorrelate() {
        var data = ReportData(asOf: "2026-11-21")
        #expect(!ReportPage.html(data).contains("correlate at"))
        data.frequencySpendCorrelation = 0.024
        #expect(ReportPage.html(data).contains("here the two correlate at 0.02, close enough to none."))
        data.frequencySpendCorrelation = -0.42
        #expect(ReportPage.html(data).contains("here the two correlate at -0.42, enough to doubt the spend estimates."))
    }

    private func manifestOutputs(_ root: String) throws -> [String: Int] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/out/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outputs = try #require(manifest["outputs"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: outputs.compactMap { entry in (entry["file"] as? String).map { ($0, entry["rows"] as? Int ?? -1) } })
    }

    @Test func backtestBarsComparePrecisionAtThreeOfEachListOnOneScale() {
        var data = ReportData(asOf: "2026-11-21")
        #expect(ReportCharts.backtest(data).contains(">No backtest yet: loyalty backtest --as-of DATE --horizon-days N</text>"))
        var backtest = ReportBacktest(asOf: "2026-10-22", horizonDays: 30, customersWithOffers: 900, buyers: 120)
        var everyone = ReportBacktest.Group(scope: "all", customers: 900, buyers: 120)
        everyone.precision = [.offers: 0.05, .candidates: 0.06, .popular: 0.075, .ownRepeats: 0.15]
        everyone.offerHits = 18
        everyone.offerHitRevenueMinor = 123_456
        var crossSell = ReportBacktest.Group(scope: "cross_sell", customers: 400, buyers: 50)
        crossSell.precision = [.offers: 0.03, .popular: 0.075, .ownRepeats: 0.1]
        backtest.groups = [everyone, crossSell]
        data.backtest = backtest
        let chart = ReportCharts.backtest(data)
        for panel in ["Offers", "Candidates", "Popular", "Own repeats"] { #expect(chart.contains(">\(panel)</text>"), "\(panel)") }
        #expect(chart.contains(">5.0%</text>") && chart.contains(">15.0%</text>"))
        // A list nobody in the group had is a dash, not a zero.
        #expect(chart.contains("<title>cross_sell, candidates: precision@3 none (empty lists) over 50 buyers of 400</title>"))
        // One scale: the own-repeats bar of 0.15 is three times the offers' 0.05.
        let widths = chart.components(separatedBy: "<rect class=\"mark\"").dropFirst().compactMap { rect -> Double? in
            guard let start = rect.range(of: "width=\""), let end = rect[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return Double(rect[start.upperBound..<end])
        }
        #expect(widths.count == 8 && abs(widths[6] - 3 * widths[0]) < 0.2)
        let page = ReportPage.html(data)
        #expect(page.contains("Backtest as of 2026-10-22 over 30 days: 900 customers with offers") && page.contains("Hits in the first three offers: 18, revenue \(ReportText.money(123_456))"))
    }
}
