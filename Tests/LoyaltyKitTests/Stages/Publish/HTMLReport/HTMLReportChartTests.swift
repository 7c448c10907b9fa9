import Testing
@testable import LoyaltyKit

/// The SVG primitives on hand-made data: every coordinate below is worked out by hand from the
/// layout constants in SVGCharts (960 wide, 6.6 units a label character, 6.2 a value character).
@Suite struct HTMLReportChartTests {
    static let hostile = "<script>alert(1)</script> & \"quoted\" 'single'"
    static let escapedHostile = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;"

    @Test func barOfHalfTheMaximumHasHalfTheWidth() {
        // Labels "a", "b": label column max(1 × 6.6 + 12, 80) = 80; value labels of ≤ 3
        // characters get the minimum room 40; the one panel is 960 − 80 = 880 wide, its bars
        // at most 880 − 40 = 840. Rows are 26 high under a 28-unit title band, bars 16 high.
        let svg = SVGCharts.bars(title: "t", rows: ["a", "b"], panels: [SVGCharts.BarPanel(title: "p", values: [50, 100], labels: ["50", "100"])])
        #expect(svg.hasPrefix("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 88\" width=\"100%\""))
        #expect(svg.contains("<rect class=\"mark\" x=\"80\" y=\"33\" width=\"420\" height=\"16\""))
        #expect(svg.contains("<rect class=\"mark\" x=\"80\" y=\"59\" width=\"840\" height=\"16\""))
        // The value label sits 4 units after the bar's end.
        #expect(svg.contains("<text class=\"value\" x=\"504\" y=\"45\" text-anchor=\"start\">50</text>"))
    }

    @Test func negativeBarsGrowLeftFromTheZeroLine() {
        // Domain −25 … 75 over 840 units: zero at 80 + 25/100 × 840 = 290.
        let svg = SVGCharts.bars(title: "t", rows: ["a", "b"], panels: [SVGCharts.BarPanel(title: "p", values: [-25, 75], labels: ["", ""])])
        #expect(svg.contains("<rect class=\"mark\" x=\"80\" y=\"33\" width=\"210\""))
        #expect(svg.contains("<rect class=\"mark\" x=\"290\" y=\"59\" width=\"630\""))
        #expect(svg.contains("<line class=\"axis\" x1=\"290\" y1=\"26\" x2=\"290\" y2=\"82\"/>"))
    }

    @Test func sharedScaleMakesPanelsComparable() {
        // Two panels: (960 − 80 − 24) / 2 = 428 wide, bars at most 428 − 40 = 388; the second
        // panel starts at 80 + 428 + 24 = 532.
        let panels = [SVGCharts.BarPanel(title: "p", values: [10, 20], labels: ["10", "20"]),
                      SVGCharts.BarPanel(title: "q", values: [40, 10], labels: ["40", "10"])]
        let own = SVGCharts.bars(title: "t", rows: ["a", "b"], panels: panels)
        #expect(own.contains("x=\"80\" y=\"59\" width=\"388\"")) // 20 is the first panel's largest
        let shared = SVGCharts.bars(title: "t", rows: ["a", "b"], panels: panels, sharedScale: true)
        #expect(shared.contains("x=\"80\" y=\"59\" width=\"194\"")) // 20 of 40
        #expect(shared.contains("x=\"532\" y=\"33\" width=\"388\""))
        #expect(shared.contains("x=\"532\" y=\"59\" width=\"97\"")) // 10 of 40
    }

    @Test func stackedBarsPutSeriesEndToEnd() {
        // Rows "a", "b": label column 80; totals of 2 characters get room 40, so the largest
        // stack (a: 30 + 10 = 40) spans 960 − 80 − 40 = 840 units, 21 per unit. Rows start at 36.
        let svg = SVGCharts.stackedBars(title: "t", rows: ["a", "b"], series: ["x", "y"], values: [[30, 10], [0, 20]], totals: ["40", "20"])
        #expect(svg.contains("<rect class=\"mark\" x=\"80\" y=\"41\" width=\"630\" height=\"16\" fill=\"#0072B2\">"))
        #expect(svg.contains("<rect class=\"mark\" x=\"710\" y=\"41\" width=\"210\" height=\"16\" fill=\"#E69F00\">"))
        // A zero part draws nothing: b's only bar is y's, from the axis.
        #expect(svg.contains("<rect class=\"mark\" x=\"80\" y=\"67\" width=\"420\" height=\"16\" fill=\"#E69F00\">"))
        #expect(svg.components(separatedBy: "class=\"mark\"").count - 1 == 3)
    }

    @Test func heatMapCellsAreColouredByLevelAndPlacedOnTheGrid() {
        // Row labels of 2 characters: max(2 × 6.6 + 16, 40) = 40. Two columns of at most 110,
        // labels upright (13.2 < 106), header 22 high, cells 24 high drawn 1 unit smaller.
        // Levels 0, ½ and 1 hit the scale's first, middle and last stops exactly.
        let cell = { (value: Double) in SVGCharts.HeatCell(value: value, text: "\(Int(value))", tooltip: "v") }
        let grid = SVGCharts.HeatGrid(corner: "x", rows: ["r1", "r2"], columns: ["c1", "c2"],
                                      cells: [[cell(0), cell(5)], [cell(10), nil]], low: 0, high: 10, lowLabel: "0", highLabel: "10")
        let svg = SVGCharts.heatMap(title: "t", grid)
        #expect(svg.contains("<rect class=\"mark\" x=\"40\" y=\"22\" width=\"109\" height=\"23\" fill=\"#f7fbff\"/>"))
        #expect(svg.contains("<rect class=\"mark\" x=\"150\" y=\"22\" width=\"109\" height=\"23\" fill=\"#6baed6\"/>"))
        #expect(svg.contains("<rect class=\"mark\" x=\"40\" y=\"46\" width=\"109\" height=\"23\" fill=\"#08306b\"/>"))
        // The absent cell (the cohort triangle's future) is not drawn at all.
        #expect(!svg.contains("x=\"150\" y=\"46\""))
        // Dark cells get white text, centred: 40 + 55 = 95, 46 + 12 + 12 × 0.35 = 62.2.
        #expect(svg.contains("<text x=\"95\" y=\"62.2\" text-anchor=\"middle\" font-size=\"12\" fill=\"#ffffff\">10</text>"))
        #expect(SVGCharts.blue(0.25) == "#c6dbef" && SVGCharts.blue(0.125) == "#dfebf7") // halfway between the first two stops

        let empty = SVGCharts.heatMap(title: "t", SVGCharts.HeatGrid(
            corner: "", rows: ["r"], columns: ["c"], cells: [[SVGCharts.HeatCell(value: nil, text: "–", tooltip: "none")]],
            low: 0, high: 1, lowLabel: "0", highLabel: "1"))
        // A cell without data is grey and not a mark, so it never counts as content.
        #expect(empty.contains("<rect class=\"nodata\"") && empty.contains("fill=\"#eeeeee\"") && !empty.contains("class=\"mark\""))
    }

    @Test func longColumnNamesAreTurnedAndLeaveRoomOnTheRight() {
        // "Potential Loyalist" (18 characters, 118.8 units) does not fit a 110 cell upright, so
        // columns shrink to leave cos 40° × 118.8 ≈ 91.5 units right of the grid: row labels
        // max(18 × 6.6 + 16, 40) = 134.8 → (960 − 134.8 − 91.476) / 2 = 366.9 > 110, so still 110.
        let names = ["Champions", "Potential Loyalist"]
        let grid = SVGCharts.HeatGrid(corner: "", rows: names, columns: names,
                                      cells: names.map { _ in names.map { _ in SVGCharts.HeatCell(value: 1, text: "1", tooltip: "") } },
                                      low: 0, high: 1, lowLabel: "0", highLabel: "1")
        let svg = SVGCharts.heatMap(title: "t", grid)
        // Header 118.8 × 0.64 + 24 = 100.0 high; the first column's centre at 134.8 + 55.
        #expect(svg.contains("<text class=\"label\" transform=\"translate(189.8,94) rotate(-40)\">Champions"))
        #expect(svg.contains("<rect class=\"mark\" x=\"134.8\" y=\"100\" width=\"109\""))
    }

    @Test func linesRunFromTheBottomLeftCorner() {
        // Plot 64 … 928 across, 36 … 280 down; values up to 100 give steps of 20 (100 / 5) and a
        // top of 100, so 50 sits at 280 − 0.5 × 244 = 158.
        let svg = SVGCharts.lines(title: "t", xLabels: ["a", "b", "c"], series: [SVGCharts.LineSeries(name: "s", values: [0, 50, 100])]) {
            ReportText.number($0)
        }
        #expect(svg.contains("<polyline class=\"mark\" points=\"64,280 496,158 928,36\""))
        // The 80 tick: 280 − 0.8 × 244 = 84.8, its label 4 lower and 6 left of the plot.
        #expect(svg.contains("<text class=\"tick\" x=\"58\" y=\"88.8\" text-anchor=\"end\">80</text>"))
    }

    @Test func intervalsAreDrawnAroundTheirPoint() {
        // Values −0.01 … 0.05 and 0: step 0.02 (0.06 / 5 = 0.012 → 2 × 0.01), axis −0.02 … 0.06.
        // Labels "a", "b" → 80 wide, plot from 88 to 960 − 120 = 840 (752 units, 94 per 0.01).
        // Rows are 26 high under a 26-unit header band: the first centred at 39.
        let svg = SVGCharts.intervals(title: "t", [
            SVGCharts.IntervalRow(label: "a", point: 0.02, low: -0.01, high: 0.05, text: "x"),
            SVGCharts.IntervalRow(label: "b", point: nil, low: nil, high: nil, text: "too few"),
        ], textHeader: "uplift") { ReportText.number($0 * 100) + " pp" }
        #expect(svg.contains("<line class=\"mark\" x1=\"182\" y1=\"39\" x2=\"746\" y2=\"39\""))
        #expect(svg.contains("<circle class=\"mark\" cx=\"464\" cy=\"39\" r=\"4.5\""))
        #expect(svg.contains("<text class=\"legend\" x=\"850\" y=\"14\" text-anchor=\"start\">uplift</text>"))
        #expect(svg.contains("<line class=\"zero\" x1=\"276\""))
        #expect(svg.contains(">-2 pp</text>") && svg.contains(">6 pp</text>"))
        // The row without an estimate has its label and text but no mark.
        #expect(svg.components(separatedBy: "class=\"mark\"").count - 1 == 2)
        #expect(svg.contains(">too few</text>"))
    }

    @Test func anEmptyChartSaysWhy() {
        let svg = SVGCharts.message(title: "Migration", "First run: no migration yet")
        #expect(svg.contains("<text class=\"empty\" x=\"480\" y=\"37\" text-anchor=\"middle\" font-size=\"15\">First run: no migration yet</text>"))
        #expect(!svg.contains("class=\"mark\""))
    }

    @Test func textFromDataIsEscapedEverywhere() {
        #expect(ReportText.escape(Self.hostile) == Self.escapedHostile)
        let bars = SVGCharts.bars(title: Self.hostile, rows: [Self.hostile], panels: [SVGCharts.BarPanel(title: Self.hostile, values: [1], labels: [Self.hostile])])
        let heat = SVGCharts.heatMap(title: "t", SVGCharts.HeatGrid(
            corner: Self.hostile, rows: [Self.hostile], columns: [Self.hostile],
            cells: [[SVGCharts.HeatCell(value: 1, text: Self.hostile, note: Self.hostile, tooltip: Self.hostile)]],
            low: 0, high: 1, lowLabel: Self.hostile, highLabel: Self.hostile))
        let lines = SVGCharts.lines(title: "t", xLabels: [Self.hostile], series: [SVGCharts.LineSeries(name: Self.hostile, values: [1])]) { _ in Self.hostile }
        let stacked = SVGCharts.stackedBars(title: "t", rows: [Self.hostile], series: [Self.hostile], values: [[1]], totals: [Self.hostile])
        let intervals = SVGCharts.intervals(title: "t", [SVGCharts.IntervalRow(label: Self.hostile, point: 0, low: 0, high: 0, text: Self.hostile)]) { _ in "" }
        for svg in [bars, heat, lines, stacked, intervals, SVGCharts.message(title: Self.hostile, Self.hostile)] {
            #expect(!svg.contains("<script") && !svg.contains("\"quoted\"") && !svg.contains("'single'"))
            #expect(svg.contains("&lt;script&gt;alert(1)"))
        }
    }

    @Test func numbersAreFormattedWithoutALocale() {
        #expect(ReportText.number(12.25) == "12.3" && ReportText.number(40.0) == "40" && ReportText.number(-0.04) == "0")
        #expect(ReportText.number(-12.25) == "-12.3" && ReportText.number(0.05, places: 2) == "0.05")
        #expect(ReportText.fixed(2.5, places: 0) == "3" && ReportText.fixed(-2.5, places: 0) == "-3" && ReportText.fixed(7, places: 2) == "7.00")
        #expect(ReportText.fixed(-0.04, places: 1) == "0.0" && ReportText.fixed(0.004, places: 2) == "0.00")
        #expect(ReportText.fixed(1.005, places: 2) == "1.00") // 1.00499999999999989… in binary
        #expect(ReportText.grouped(1_234_567) == "1,234,567" && ReportText.grouped(-1000) == "-1,000" && ReportText.grouped(999) == "999")
        // 1,234.5678 in minor units of 1/10,000, rounded half away from zero once.
        #expect(ReportText.money(12_345_678) == "1,234.57" && ReportText.money(-50_000) == "-5.00" && ReportText.money(30_001, dividedBy: 2) == "1.50")
        #expect(ReportText.money(units: 1234.5) == "1,234.50")
        #expect(ReportText.compact(950) == "950" && ReportText.compact(12_500) == "12.5k" && ReportText.compact(3_400_000) == "3.4M")
        #expect(ReportText.compact(999_999) == "1M" && ReportText.compact(2.25) == "2.3" && ReportText.compact(-4000) == "-4k")
        #expect(ReportText.percent(0.1234) == "12.3%" && ReportText.percent(1) == "100.0%")
        #expect(ReportText.points(0.021) == "+2.1 pp" && ReportText.points(-0.005) == "-0.5 pp" && ReportText.points(0) == "0.0 pp")
    }

    @Test func roundStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(SVGCharts.niceStep(100) == 20 && SVGCharts.niceStep(7) == 2 && SVGCharts.niceStep(0.06) == 0.02)
        #expect(SVGCharts.niceStep(30_000) == 10_000 && SVGCharts.niceStep(0) == 1)
    }
}
