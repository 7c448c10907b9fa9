/// Small chart primitives for report.html. Each returns one `<svg>` element as text: geometry in a
/// fixed 960-unit-wide viewBox that the page scales to its width, numbers through
/// `ReportText.number` so the same data gives the same bytes, and every text from data escaped.
///
/// Data marks (bars, cells with a value, lines, points, intervals) carry the class `mark`, and
/// an empty state is one `<text class="empty">`: that is what the browser test counts as a chart
/// having content, so axes, grid lines and legends never carry those classes.
enum SVGCharts {
    static let width = 960.0
    /// Okabe–Ito colours: told apart by colour-blind readers and in greyscale print.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D31", "#999999"]
    /// Rough width of one character at the 12-unit font, to size label columns without measuring text.
    static let characterWidth = 6.6

    // MARK: Horizontal bars

    /// One measure of a bar chart: a value and the text written after its bar, per row.
    struct BarPanel {
        var title: String
        var values: [Double]
        var labels: [String]
        /// Per-row tooltips; empty = the row name and label.
        var tooltips: [String] = []
    }

    /// Horizontal bars, one row per `rows` entry and one panel per measure side by side, each
    /// panel scaled to its own largest magnitude (so counts and money can sit next to each other),
    /// or all to the largest of all with `sharedScale` (shares whose bars are to be compared).
    /// A negative value draws leftwards from the panel's zero line.
    static func bars(title: String, rows: [String], panels: [BarPanel], sharedScale: Bool = false) -> String {
        // One panel leaves room for long names (product pairs); several share the width.
        let labelWidth = clamp(Double(longest(rows)) * characterWidth + 12, 80, panels.count == 1 ? 520 : 360)
        let valueRoom = clamp(Double(panels.map { longest($0.labels) }.max() ?? 0) * 6.2 + 10, 40, 160)
        let gap = 24.0, top = 28.0, rowHeight = 26.0, barHeight = 16.0
        let count = Double(max(panels.count, 1))
        let panelWidth = (width - labelWidth - gap * (count - 1)) / count
        let plotWidth = panelWidth - valueRoom
        let height = top + Double(rows.count) * rowHeight + 8
        var body = ""
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            body += text(clip(row, Int((labelWidth - 12) / characterWidth)), x: labelWidth - 8, y: y + 4, anchor: "end", tooltip: row)
        }
        for (index, panel) in panels.enumerated() {
            let x0 = labelWidth + Double(index) * (panelWidth + gap)
            let scaled = sharedScale ? panels.flatMap(\.values) : panel.values
            let low = min(0, scaled.min() ?? 0), high = max(0, scaled.max() ?? 0)
            let span = high > low ? high - low : 1
            let zero = x0 + (0 - low) / span * plotWidth
            body += "<text class=\"panel-title\" x=\"\(n(x0))\" y=\"16\" font-weight=\"600\">\(e(panel.title))</text>"
            for (row, value) in panel.values.enumerated() {
                let length = abs(value) / span * plotWidth
                let x = value < 0 ? zero - length : zero
                let y = top + Double(row) * rowHeight + (rowHeight - barHeight) / 2
                let label = row < panel.labels.count ? panel.labels[row] : ""
                let tooltip = row < panel.tooltips.count ? panel.tooltips[row] : (row < rows.count ? rows[row] + ": " : "") + label
                body += "<rect class=\"mark\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(length))\" height=\"\(n(barHeight))\" fill=\"\(palette[index % palette.count])\">"
                    + "<title>\(e(tooltip))</title></rect>"
                body += text(label, x: (value < 0 ? zero : zero + length) + 4, y: y + barHeight - 4, anchor: "start", cssClass: "value")
            }
            body += line(x1: zero, y1: top - 2, x2: zero, y2: height - 6, cssClass: "axis")
        }
        return svg(title: title, height: height, body: body)
    }

    // MARK: Stacked bars

    /// Horizontal stacked bars: `values[row][series]`, a legend of the series on top, and
    /// `totals[row]` written after each stack. One scale for all rows (the largest stack).
    static func stackedBars(title: String, rows: [String], series: [String], values: [[Double]], totals: [String]) -> String {
        let labelWidth = clamp(Double(longest(rows)) * characterWidth + 12, 80, 360)
        let valueRoom = clamp(Double(longest(totals)) * 6.2 + 10, 40, 160)
        let top = 36.0, rowHeight = 26.0, barHeight = 16.0
        let plotWidth = width - labelWidth - valueRoom
        let largest = values.map { $0.reduce(0) { $0 + max($1, 0) } }.max() ?? 0
        let scale = largest > 0 ? plotWidth / largest : 0
        let height = top + Double(rows.count) * rowHeight + 8
        var body = legend(series, x: labelWidth, y: 14)
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight + (rowHeight - barHeight) / 2
            body += text(clip(row, Int((labelWidth - 12) / characterWidth)), x: labelWidth - 8, y: y + barHeight - 4, anchor: "end", tooltip: row)
            var x = labelWidth
            for (part, value) in (index < values.count ? values[index] : []).enumerated() where value > 0 {
                let length = value * scale
                let name = part < series.count ? series[part] : ""
                body += "<rect class=\"mark\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(length))\" height=\"\(n(barHeight))\" fill=\"\(palette[part % palette.count])\">"
                    + "<title>\(e(row)) · \(e(name)): \(n(value, places: 4))</title></rect>"
                x += length
            }
            body += text(index < totals.count ? totals[index] : "", x: x + 4, y: y + barHeight - 4, anchor: "start", cssClass: "value")
        }
        body += line(x1: labelWidth, y1: top - 2, x2: labelWidth, y2: height - 6, cssClass: "axis")
        return svg(title: title, height: height, body: body)
    }

    // MARK: Heat map

    /// One cell of a heat map: the value that colours it (nil: a cell without data, grey and not
    /// a mark), its text, an optional smaller second line, and a tooltip.
    struct HeatCell {
        var value: Double?
        var text: String
        var note: String? = nil
        var tooltip: String
    }

    struct HeatGrid {
        /// Written in the top-left corner, above the row labels, e.g. "R score \\ F score".
        var corner: String
        var rows: [String]
        var columns: [String]
        /// `cells[row][column]`; nil = no cell there (the cohort triangle's future months).
        var cells: [[HeatCell?]]
        /// Values at or below `low` get the lightest colour, at or above `high` the darkest.
        var low: Double
        var high: Double
        var lowLabel: String
        var highLabel: String
        var maxCellWidth = 110.0
    }

    /// A grid of coloured cells on a light-to-dark blue scale, with a stepped legend below.
    static func heatMap(title: String, _ grid: HeatGrid) -> String {
        let rowLabelWidth = clamp(Double(max(longest(grid.rows), grid.corner.count)) * characterWidth + 16, 40, 240)
        let columns = Double(max(grid.columns.count, 1))
        let hasNotes = grid.cells.contains { $0.contains { $0?.note != nil } }
        let cellHeight = hasNotes ? 36.0 : 24.0
        let columnChars = longest(grid.columns)
        let clippedChars = min(columnChars, 26)
        // Long column names (segments) are turned 40° so they fit above narrow cells; the last
        // one then reaches right of the grid by up to cos 40° of its length.
        let labelLength = Double(clippedChars) * characterWidth
        let upright = min(grid.maxCellWidth, (width - rowLabelWidth - 8) / columns)
        let turned = labelLength > upright - 4
        let cellWidth = turned ? min(grid.maxCellWidth, (width - rowLabelWidth - labelLength * 0.77) / columns) : upright
        let header = turned ? labelLength * 0.64 + 24 : 22
        let top = header
        let gridHeight = Double(grid.rows.count) * cellHeight
        let height = top + gridHeight + 44
        let fontSize = min(12, max(8, cellWidth / 3.6))
        var body = text(grid.corner, x: rowLabelWidth - 8, y: top - 6, anchor: "end", cssClass: "corner")
        for (index, column) in grid.columns.enumerated() {
            let x = rowLabelWidth + (Double(index) + 0.5) * cellWidth
            if turned {
                body += "<text class=\"label\" transform=\"translate(\(n(x)),\(n(top - 6))) rotate(-40)\">\(e(clip(column, 26)))<title>\(e(column))</title></text>"
            } else {
                body += text(column, x: x, y: top - 6, anchor: "middle")
            }
        }
        for (rowIndex, row) in grid.rows.enumerated() {
            let y = top + Double(rowIndex) * cellHeight
            body += text(clip(row, Int((rowLabelWidth - 16) / characterWidth)), x: rowLabelWidth - 8, y: y + cellHeight / 2 + 4, anchor: "end", tooltip: row)
            let cells = rowIndex < grid.cells.count ? grid.cells[rowIndex] : []
            for (columnIndex, cell) in cells.enumerated() {
                guard let cell else { continue }
                let x = rowLabelWidth + Double(columnIndex) * cellWidth
                let level = cell.value.map { grid.high > grid.low ? clamp(($0 - grid.low) / (grid.high - grid.low), 0, 1) : 1 }
                let fill = level.map(blue) ?? "#eeeeee"
                let ink = (level ?? 0) > 0.55 ? "#ffffff" : "#1a1a1a"
                body += "<g><rect class=\"\(cell.value == nil ? "nodata" : "mark")\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth - 1))\" height=\"\(n(cellHeight - 1))\" fill=\"\(fill)\"/>"
                    + "<title>\(e(cell.tooltip))</title>"
                let textY = cell.note == nil ? y + cellHeight / 2 + fontSize * 0.35 : y + cellHeight / 2 - 2
                body += "<text x=\"\(n(x + cellWidth / 2))\" y=\"\(n(textY))\" text-anchor=\"middle\" font-size=\"\(n(fontSize))\" fill=\"\(ink)\">\(e(cell.text))</text>"
                if let note = cell.note {
                    body += "<text x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2 + 11))\" text-anchor=\"middle\" font-size=\"\(n(fontSize - 2))\" fill=\"\(ink)\">\(e(note))</text>"
                }
                body += "</g>"
            }
        }
        // Legend: five steps of the scale between the low and high labels.
        let legendY = top + gridHeight + 16
        var x = rowLabelWidth
        body += text(grid.lowLabel, x: x, y: legendY + 11, anchor: "start", cssClass: "legend")
        x += Double(grid.lowLabel.count) * characterWidth + 8
        for step in 0..<5 {
            body += "<rect x=\"\(n(x + Double(step) * 22))\" y=\"\(n(legendY))\" width=\"22\" height=\"14\" fill=\"\(blue(Double(step) / 4))\"/>"
        }
        body += text(grid.highLabel, x: x + 5 * 22 + 8, y: legendY + 11, anchor: "start", cssClass: "legend")
        return svg(title: title, height: height, body: body)
    }

    /// The heat maps' colour for a level in 0…1: linear between five blues, light to dark.
    static func blue(_ level: Double) -> String {
        let stops: [(Double, Double, Double)] = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]
        let position = clamp(level, 0, 1) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let t = position - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        return hex(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t)
    }

    // MARK: Lines

    struct LineSeries {
        var name: String
        var values: [Double]
    }

    /// Lines over evenly spaced x labels (months), y from zero (or the lowest value) to a round
    /// number above the highest, with grid lines at round steps labelled by `format`.
    static func lines(title: String, xLabels: [String], series: [LineSeries], format: (Double) -> String) -> String {
        let left = 64.0, right = width - 32, top = 36.0, height = 320.0, bottom = height - 40
        let all = series.flatMap(\.values)
        let step = niceStep((all.max() ?? 0) - min(0, all.min() ?? 0))
        let low = min(0, ((all.min() ?? 0) / step).rounded(.down) * step)
        let high = max(step, ((all.max() ?? 0) / step).rounded(.up) * step)
        func y(_ value: Double) -> Double { bottom - (value - low) / (high - low) * (bottom - top) }
        func x(_ index: Int) -> Double {
            xLabels.count > 1 ? left + Double(index) / Double(xLabels.count - 1) * (right - left) : (left + right) / 2
        }
        var body = legend(series.map(\.name), x: left, y: 14)
        var tick = low
        while tick <= high + step / 1000 {
            body += line(x1: left, y1: y(tick), x2: right, y2: y(tick), cssClass: tick == 0 ? "axis" : "grid")
            body += text(format(tick), x: left - 6, y: y(tick) + 4, anchor: "end", cssClass: "tick")
            tick += step
        }
        // At most about 12 month labels, so they never overlap.
        let every = max(1, (xLabels.count + 11) / 12)
        for (index, label) in xLabels.enumerated() where index % every == 0 {
            body += line(x1: x(index), y1: bottom, x2: x(index), y2: bottom + 4, cssClass: "axis")
            body += text(label, x: x(index), y: bottom + 18, anchor: "middle", cssClass: "tick")
        }
        for (index, entry) in series.enumerated().reversed() {
            let colour = palette[index % palette.count]
            let points = entry.values.enumerated().map { "\(n(x($0.offset))),\(n(y($0.element)))" }.joined(separator: " ")
            body += "<polyline class=\"mark\" points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(index == 0 ? "3" : "2")\" stroke-linejoin=\"round\"/>"
            if xLabels.count <= 40 {
                for (point, value) in entry.values.enumerated() {
                    let label = point < xLabels.count ? xLabels[point] : ""
                    body += "<circle class=\"mark\" cx=\"\(n(x(point)))\" cy=\"\(n(y(value)))\" r=\"2.5\" fill=\"\(colour)\">"
                        + "<title>\(e(entry.name)) · \(e(label)): \(e(format(value)))</title></circle>"
                }
            }
        }
        return svg(title: title, height: height, body: body)
    }

    // MARK: Intervals

    /// One row of a forest plot: a point estimate with its interval, and the text beside it.
    /// Without a point only the label and text are drawn (too few customers to estimate).
    struct IntervalRow {
        var label: String
        var point: Double?
        var low: Double?
        var high: Double?
        var text: String
    }

    /// A forest plot: per row a horizontal line from low to high, a dot at the point, a dashed
    /// line at zero (no effect), and ticks labelled by `format` along the bottom; `textHeader`
    /// names the column of row texts.
    static func intervals(title: String, _ rows: [IntervalRow], textHeader: String = "", format: (Double) -> String) -> String {
        let labelWidth = clamp(Double(longest(rows.map(\.label))) * characterWidth + 12, 80, 320)
        let textRoom = clamp(Double(max(longest(rows.map(\.text)), textHeader.count)) * 6.2 + 12, 120, 320)
        let top = 26.0, rowHeight = 26.0
        let left = labelWidth + 8, right = width - textRoom
        let values: [Double] = rows.flatMap { row -> [Double] in [row.point, row.low, row.high].compactMap { $0 } } + [0]
        let smallest = values.min() ?? 0, largest = values.max() ?? 0
        let step = niceStep(largest - smallest)
        let low = (smallest / step).rounded(.down) * step
        let high = max(low + step, (largest / step).rounded(.up) * step)
        func x(_ value: Double) -> Double { left + (value - low) / (high - low) * (right - left) }
        let bottom = top + Double(rows.count) * rowHeight
        let height = bottom + 30
        var body = text(textHeader, x: right + 10, y: 14, anchor: "start", cssClass: "legend")
        var tick = low
        while tick <= high + step / 1000 {
            body += line(x1: x(tick), y1: top, x2: x(tick), y2: bottom, cssClass: "grid")
            body += text(format(tick), x: x(tick), y: bottom + 16, anchor: "middle", cssClass: "tick")
            tick += step
        }
        body += "<line class=\"zero\" x1=\"\(n(x(0)))\" y1=\"\(n(top - 4))\" x2=\"\(n(x(0)))\" y2=\"\(n(bottom))\" stroke=\"#1a1a1a\" stroke-dasharray=\"4 3\"/>"
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            body += text(clip(row.label, Int((labelWidth - 12) / characterWidth)), x: labelWidth - 8, y: y + 4, anchor: "end", tooltip: row.label)
            if let rowLow = row.low, let rowHigh = row.high {
                body += "<line class=\"mark\" x1=\"\(n(x(rowLow)))\" y1=\"\(n(y))\" x2=\"\(n(x(rowHigh)))\" y2=\"\(n(y))\" stroke=\"\(palette[0])\" stroke-width=\"2\"/>"
            }
            if let point = row.point {
                body += "<circle class=\"mark\" cx=\"\(n(x(point)))\" cy=\"\(n(y))\" r=\"4.5\" fill=\"\(palette[0])\"><title>\(e(row.label)): \(e(row.text))</title></circle>"
            }
            body += text(row.text, x: right + 10, y: y + 4, anchor: "start", cssClass: "value")
        }
        return svg(title: title, height: height, body: body)
    }

    // MARK: Empty state

    /// A chart that has nothing to draw says why, in one line of text where the chart would be.
    static func message(title: String, _ message: String) -> String {
        svg(title: title, height: 64, body: "<rect x=\"0.5\" y=\"0.5\" width=\"959\" height=\"63\" fill=\"#fafafa\" stroke=\"#dddddd\"/>"
            + "<text class=\"empty\" x=\"480\" y=\"37\" text-anchor=\"middle\" font-size=\"15\">\(e(message))</text>")
    }

    // MARK: Pieces

    /// Round step for about five ticks over `span`: 1, 2 or 5 times a power of ten. Powers come
    /// from multiplying, not `log10`, so no libm rounding can move a tick between machines.
    static func niceStep(_ span: Double) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / 5
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let residual = raw / magnitude
        return (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
    }

    static func svg(title: String, height: Double, body: String) -> String {
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"100%\" role=\"img\" aria-label=\"\(e(title))\">"
            + "<title>\(e(title))</title>" + body + "</svg>"
    }

    private static func legend(_ names: [String], x: Double, y: Double) -> String {
        var body = "", position = x
        for (index, name) in names.enumerated() {
            body += "<rect x=\"\(n(position))\" y=\"\(n(y - 10))\" width=\"12\" height=\"12\" fill=\"\(palette[index % palette.count])\"/>"
            body += text(name, x: position + 16, y: y, anchor: "start", cssClass: "legend")
            position += 16 + Double(name.count) * characterWidth + 18
        }
        return body
    }

    private static func text(_ content: String, x: Double, y: Double, anchor: String, cssClass: String = "label", tooltip: String? = nil) -> String {
        let title = tooltip.map { $0 == content ? "" : "<title>\(e($0))</title>" } ?? ""
        return "<text class=\"\(cssClass)\" x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(e(content))\(title)</text>"
    }

    private static func line(x1: Double, y1: Double, x2: Double, y2: Double, cssClass: String) -> String {
        "<line class=\"\(cssClass)\" x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"/>"
    }

    /// Shortens text to `limit` characters with an ellipsis (whole characters, never half an emoji).
    static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(max(limit - 1, 1))) + "…" : text
    }

    private static func longest(_ texts: [String]) -> Int { texts.map(\.count).max() ?? 0 }
    private static func clamp(_ value: Double, _ low: Double, _ high: Double) -> Double { min(max(value, low), high) }
    private static func n(_ value: Double, places: Int = 1) -> String { ReportText.number(value, places: places) }
    private static func e(_ text: String) -> String { ReportText.escape(text) }

    private static func hex(_ red: Double, _ green: Double, _ blue: Double) -> String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for channel in [red, green, blue] {
            let value = Int(channel.rounded())
            text.append(digits[value / 16])
            text.append(digits[value % 16])
        }
        return text
    }
}
