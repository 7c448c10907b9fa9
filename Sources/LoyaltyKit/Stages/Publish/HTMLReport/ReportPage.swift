/// report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) with the
/// night's headline figures and one section per chart, each with a sentence on how to read it.
/// The same data gives the same bytes: no generation time, no random ids.
enum ReportPage {
    /// The charts in page order; each is `<section id=…>` holding `<figure data-chart=…>`.
    static let chartIDs = ["segments", "rf", "value", "migration", "clusters", "pairs", "seasonality", "cohorts", "offers", "effectiveness", "backtest"]

    static func html(_ data: ReportData) -> String {
        let sections: [(id: String, heading: String, how: String, chart: String, after: String)] = [
            ("segments", "Segments: size and revenue share",
             "One row per segment (the rules in order, then Others and No Purchases). Left: its share of all customers; right: its share "
                + "of revenue over the figures window. A segment whose revenue bar is longer than its customer bar spends more than the average customer.",
             ReportCharts.segments(data), segmentTable(data)),
            ("rf", "Recency × frequency: mean spend",
             "Rows are recency scores (R 5 = bought most recently), columns frequency scores (F 5 = most orders). Each cell shows the mean "
                + "monetary of its customers and how many they are; darker means a higher mean. A dash marks a score pair nobody has.",
             ReportCharts.recencyFrequency(data), ""),
            ("value", "Customer value: still buying, and worth what",
             "Customers with a purchase in the window by P(alive) (rows: the chance they still buy, most likely on top) and CLV decile "
                + "(columns: D10 = the tenth with the highest expected margin over the horizon); darker = more customers. The top right holds "
                + "the customers to protect, the bottom right the valuable ones slipping away, whom win-back offers go to. Customers with a "
                + "single purchase day count as alive (the model lets customers leave only after a purchase): see docs/value.md."
                + correlationNote(data),
             ReportCharts.value(data), ""),
            ("migration", "Segment migration",
             data.previousAsOf.map {
                 "Rows are segments at the previous run (as of \($0)), columns segments now; each cell counts the customers who moved so. "
                     + "(new) = not known at the previous run, (gone) = not known now. Colours top out at the largest move between two "
                     + "different segments, so the customers who stayed stand out darkest."
             } ?? "Needs an earlier run in the same warehouse: the next run will show how customers moved between segments since this one.",
             ReportCharts.migration(data), ""),
            ("clusters", "Customer clusters",
             "k-means clusters (clusters.csv), numbered by descending mean monetary, named by where their centre lies. Each panel compares "
                + "one coordinate of the centres: customers in the cluster, days since the last order (fewer is better), orders, and spend.",
             ReportCharts.clusters(data), ""),
            ("pairs", "Products bought together",
             "The \(ReportData.topPairs) product pairs with the highest lift among the \(Int(TopPairs.topShare * 100))% of pairs bought together "
                + "most often: in at least \(data.pairsRankMinOrders) orders (product_pairs.csv lists every pair from \(data.pairsMinCount)). "
                + "Lift alone would favour rare products: two bought once each, and once together, have the highest lift there is. Lift 2 means the two land in one basket twice as often as chance would have it; the label adds the orders "
                + "holding both and their share of all baskets (support)." + pairsAge(data),
             ReportCharts.pairs(data), ""),
            ("seasonality", "Seasonality",
             "Net revenue per calendar month in the figures window: all sales (the thick line, products without a category included) and "
                + "the \(ReportCharts.topCategories) categories with the most revenue. Returns subtract, so a month can dip below what was sold.",
             ReportCharts.seasonality(data), ""),
            ("cohorts", "Cohort retention",
             "Each row is a cohort: the customers whose first order fell in that month (their number after the month). Each column counts "
                + "months since; a cell is the share of the cohort who ordered in that month. Month 0 is 100% by definition, so the colours "
                + "scale to the best later month.",
             ReportCharts.cohorts(data), ""),
            ("offers", "Offers by type and channel",
             "Tonight's offers as the feeds send them: one bar per offer type, split by channel, largest first.",
             ReportCharts.offers(data), controlNote(data)),
            ("effectiveness", "Offer effectiveness",
             "For each offer type and segment whose attribution window has closed: the conversion rate of customers who got the offer "
                + "minus that of the control group, in percentage points, with its 95% interval and the units (a customer's offers of "
                + "one type on one night) on each side. An interval "
                + "that crosses the dashed zero line cannot be told apart from no effect.",
             ReportCharts.effectiveness(data), effectivenessNotes(data)),
            ("backtest", "Would the offers have been bought?",
             "From the latest loyalty backtest: the offers made as of its day from the data before it, against what each customer "
                + "bought in the days after. Each bar is the share of the first three products that were bought (precision@3), over the "
                + "group's buyers: the offers (ranked by expected value and cut by the contact rules; the control group's included), the generators' candidates "
                + "(by their chance), the bestsellers not yet bought, and the customer's own products. Read the offers against the "
                + "baselines: customers buy few products, so every list scores low on its own.",
             ReportCharts.backtest(data), backtestNote(data)),
        ]
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>Loyalty report · as of \(e(data.asOf))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <h1>Loyalty report</h1>
            <p class="period">As of <strong>\(e(data.asOf))</strong> · \(e(period(data.kpis)))</p>
            \(kpis(data.kpis))
            </header>
            <nav>\(sections.map { "<a href=\"#\($0.id)\">\(e($0.heading))</a>" }.joined(separator: " "))</nav>
            <main>

            """
        for section in sections {
            page += "<section class=\"chart\" id=\"\(section.id)\">\n<h2>\(e(section.heading))</h2>\n<p class=\"how\">\(e(section.how))</p>\n"
            page += "<figure data-chart=\"\(section.id)\">\(section.chart)</figure>\n\(section.after)</section>\n"
        }
        page += """
            </main>
            <footer>Written by the publish stage from the warehouse; every figure is also in the run's CSV outputs (docs/outputs.md).</footer>
            </body>
            </html>

            """
        return page
    }

    private static func period(_ kpis: KPISummary) -> String {
        kpis.periodFrom.map { "figures from \($0) to \(kpis.asOf)" } ?? "figures over all history"
    }

    private static func kpis(_ kpis: KPISummary) -> String {
        let cards: [(String, String)] = [
            ("Customers", ReportText.grouped(kpis.customers)),
            ("Buyers", ReportText.grouped(kpis.buyers)),
            ("Active (\(kpis.activeDays) days)", ReportText.grouped(kpis.activeCustomers)),
            ("New (\(kpis.newDays) days)", ReportText.grouped(kpis.newCustomers)),
            ("Revenue", ReportText.money(kpis.revenueMinor)),
            ("Orders", ReportText.grouped(kpis.orders)),
            ("Average check", kpis.orders > 0 ? ReportText.money(kpis.revenueMinor, dividedBy: Int64(kpis.orders)) : "–"),
            ("Orders per buyer", kpis.purchaseFrequency.map { ReportText.fixed($0, places: 2) } ?? "–"),
            ("Repeat buyers", kpis.repeatRate.map { ReportText.percent($0) } ?? "–"),
        ]
        return "<dl class=\"kpis\">" + cards.map { "<div><dt>\(e($0.0))</dt><dd>\(e($0.1))</dd></div>" }.joined() + "</dl>"
    }

    /// The segments chart's figures as a table: exact, and readable without colour.
    private static func segmentTable(_ data: ReportData) -> String {
        guard !data.segments.isEmpty else { return "" }
        let customers = data.segments.reduce(0) { $0 + $1.customers }, revenue = data.segments.reduce(Int64(0)) { $0 + $1.revenueMinor }
        var table = "<table class=\"figures\"><thead><tr><th>Segment</th><th>Customers</th><th>Share</th><th>Revenue</th><th>Share</th>"
            + "<th>Mean monetary</th><th>Mean CLV</th><th>Mean P(alive)</th></tr></thead><tbody>"
        for row in data.segments {
            let cells = [
                ReportText.grouped(row.customers),
                customers > 0 ? ReportText.percent(Double(row.customers) / Double(customers)) : "–",
                ReportText.money(row.revenueMinor),
                revenue != 0 ? ReportText.percent(Double(row.revenueMinor) / Double(revenue)) : "–",
                row.customers > 0 ? ReportText.money(row.revenueMinor, dividedBy: Int64(row.customers)) : "–",
                row.clvCount > 0 ? ReportText.money(row.clvSumMinor, dividedBy: Int64(row.clvCount)) : "–",
                row.probabilityAliveCount > 0 ? ReportText.number(row.probabilityAliveSum / Double(row.probabilityAliveCount), places: 2) : "–",
            ]
            table += "<tr><th scope=\"row\">\(e(row.segment))</th>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>"
        }
        return table + "</tbody></table>\n"
    }

    /// The Gamma-Gamma independence check, in words.
    private static func correlationNote(_ data: ReportData) -> String {
        guard let correlation = data.frequencySpendCorrelation else { return "" }
        let doubt = abs(correlation) >= CustomerValue.correlationWarning
        return " Spend per purchase is estimated on the assumption that it does not depend on how often a customer buys: "
            + "here the two correlate at \(ReportText.number(correlation, places: 2))"
            + (doubt ? ", enough to doubt the spend estimates." : ", close enough to none.")
    }

    private static func pairsAge(_ data: ReportData) -> String {
        guard let pairsAsOf = data.pairsAsOf, pairsAsOf != data.asOf else { return "" }
        return " The pair counts are from the pairs stage's run as of \(pairsAsOf)."
    }

    private static func controlNote(_ data: ReportData) -> String {
        guard data.controlOffers > 0 else { return "" }
        return "<p class=\"note\">Control group: \(ReportText.counted(data.controlOffers, "offer")) to "
            + "\(ReportText.counted(data.controlCustomers, "customer")) were kept back (stored, never sent) and are not in the bars; they are what the effectiveness chart compares with.</p>\n"
    }

    /// A failed check means the chart above it cannot be trusted, so it is said next to it.
    private static func effectivenessNotes(_ data: ReportData) -> String {
        var notes = data.effectWarnings.map { "<p class=\"note warning\">Warning: \(e($0))</p>\n" }.joined()
        if data.effectsWithoutControl > 0 {
            notes += "<p class=\"note\">\(ReportText.counted(data.effectsWithoutControl, "offer type × segment cell")) with nobody on one "
                + "side (no control customers, or none sent) \(data.effectsWithoutControl == 1 ? "is" : "are") only in effectiveness.csv.</p>\n"
        }
        return notes
    }

    private static func backtestNote(_ data: ReportData) -> String {
        guard let backtest = data.backtest else { return "" }
        let everyone = backtest.groups.first { $0.scope == "all" }
        return "<p class=\"note\">Backtest as of \(e(backtest.asOf)) over \(ReportText.counted(backtest.horizonDays, "day")): "
            + "\(ReportText.counted(backtest.customersWithOffers, "customer")) with offers, the control group included (offers did not "
            + "move their purchases), \(ReportText.grouped(backtest.buyers)) of them bought"
            + (backtest.cutShort.map { " (the data then ended on \(e($0)), so the horizon is shorter)" } ?? "")
            + (everyone.map { ". Hits in the first three offers: \(ReportText.grouped($0.offerHits)), revenue \(e(ReportText.money($0.offerHitRevenueMinor)))" } ?? "")
            + ". Every group, segment and k is in backtest.csv (docs/offers.md#how-good-are-the-offers).</p>\n"
    }

    private static func e(_ text: String) -> String { ReportText.escape(text) }

    /// Readable at laptop width and on paper: system fonts, one column of at most 1100 px, charts
    /// scaled to the column, and in print no chart split across pages and colours kept. Print is
    /// landscape because charts scale with the column: on a portrait page their 12-unit labels
    /// shrink to about 7 pt, on a landscape one they stay at the screen's size.
    static let css = """

        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1100px;padding:24px 32px 48px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;background:#fff}
        h1{font-size:26px;margin:0 0 2px}
        h2{font-size:19px;margin:0 0 4px}
        .period{color:#555;margin:0 0 14px}
        .kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:10px;margin:0}
        .kpis div{border:1px solid #ddd;border-radius:6px;padding:8px 12px}
        .kpis dt{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.03em}
        .kpis dd{margin:2px 0 0;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
        nav{margin:18px 0 0;font-size:14px;line-height:1.9}
        nav a{color:#0b5cad;text-decoration:none;margin-right:14px;white-space:nowrap}
        section.chart{margin:26px 0 0;padding-top:14px;border-top:1px solid #e3e3e3}
        .how{color:#444;margin:0 0 10px;max-width:80ch}
        figure{margin:0}
        svg.chart{display:block;width:100%;height:auto;font-family:inherit;font-size:12px}
        svg .label,svg .value,svg .corner,svg .panel-title{fill:#1a1a1a}
        svg .tick,svg .legend{fill:#555;font-size:11px}
        svg .corner{fill:#555;font-style:italic}
        svg .value{font-size:11px}
        svg .empty{fill:#555}
        svg .axis{stroke:#888}
        svg .grid{stroke:#e6e6e6}
        .note{color:#555;font-size:13px;margin:6px 0 0}
        .warning{color:#a40000;font-weight:600}
        table.figures{border-collapse:collapse;margin-top:10px;font-size:13px;font-variant-numeric:tabular-nums}
        table.figures th,table.figures td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
        table.figures th[scope=row],table.figures thead th:first-child{text-align:left;font-weight:normal}
        footer{margin-top:32px;color:#777;font-size:12px}
        @media print{
        @page{size:landscape;margin:12mm}
        body{max-width:none;padding:0;font-size:10pt}
        nav{display:none}
        section.chart,.kpis div,table.figures tr{break-inside:avoid;page-break-inside:avoid}
        h2{break-after:avoid;page-break-after:avoid}
        *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        }

        """
}
