import Foundation
import Testing
@testable import LoyaltyKit

/// Opens report.html in headless Chromium (Debian's `chromium`; `.ci/run` installs it) and checks
/// what a reader would get. The report itself carries no script, so the check runs from a
/// wrapper page that loads it in an iframe (same origin under --allow-file-access-from-files)
/// and writes, per chart, how many SVGs it has, how many data marks were laid out with a
/// non-empty box (getBBox), whether it shows an empty-state message instead, and its rendered
/// size, into the DOM that --dump-dom prints.
///
/// "Content": every `<figure data-chart>` holds exactly one `<svg>` rendered wider and taller than
/// zero, with at least one drawn `.mark` (a bar, point or cell with data whose box is wider and
/// taller than zero, or a line or interval longer than zero) or else one drawn, non-empty
/// `text.empty` message (a first run's migration, no closed attribution window).
/// "Errors": any console message Chromium logs for the pages (its stderr `CONSOLE` lines), which
/// include script errors and anything the report's Content-Security-Policy blocked, such as an
/// attempt to load a font or image from the network.
@Suite(.enabled(if: HeadlessChromium.path != nil, "chromium is not on PATH (apt-get install chromium; .ci/run does)"))
struct HTMLReportBrowserTests {
    @Test func theDemoReportLoadsWithoutErrorsAndEveryChartHasContent() throws {
        let root = try temporaryFolder()
        // Two nights as `make demo` runs them, with its backtest between: the second has a
        // previous run to compare with, the first night's 14-day attribution window has closed,
        // and a backtest to show.
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-07")
        let backtest = try RunSettings.resolve(RunOptions(asOf: "2026-10-22", out: root + "/bt", warehouse: root + "/warehouse.sqlite"))
        _ = try Backtest.run(settings: backtest, horizonDays: 14, writeLists: false, logger: quietLogger)
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-21")
        let result = try HeadlessChromium.check(page: root + "/out/report.html", scratch: root)
        #expect(result.console.isEmpty, "console: \(result.console)")
        #expect(result.sections == ReportPage.chartIDs.count)
        #expect(result.charts.map(\.id) == ReportPage.chartIDs)
        for chart in result.charts {
            #expect(chart.svgs == 1 && chart.width > 0 && chart.height > 0 && chart.marks > 0 && chart.messages == 0, "\(chart)")
        }
    }

    @Test func aFirstRunShowsTheMigrationMessage() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/segment"), root: root)
        let result = try HeadlessChromium.check(page: root + "/out/report.html", scratch: root)
        #expect(result.console.isEmpty, "console: \(result.console)")
        let migration = try #require(result.charts.first { $0.id == "migration" })
        #expect(migration.marks == 0 && migration.messages == 1)
        #expect(result.charts.count == ReportPage.chartIDs.count && result.charts.allSatisfy { $0.marks > 0 || $0.messages == 1 })
    }

    /// The check can fail: a page that reaches for the network under the report's policy, and a
    /// chart whose only bar has no width, are both caught.
    @Test func theCheckCatchesBlockedLoadsAndEmptyCharts() throws {
        let root = try temporaryFolder()
        let page = root + "/broken.html"
        try write("""
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>broken</title></head>
            <body><section class="chart"><figure data-chart="segments"><svg viewBox="0 0 960 40" width="100%">
            <rect class="mark" x="0" y="0" width="0" height="16"/></svg></figure></section>
            <img src="https://example.com/logo.png" alt=""></body></html>
            """, to: page)
        let result = try HeadlessChromium.check(page: page, scratch: root)
        #expect(result.console.contains { $0.contains("example.com/logo.png") && $0.contains("Content Security Policy") })
        #expect(result.charts.count == 1 && result.charts[0].marks == 0 && result.charts[0].messages == 0)
    }
}

/// Runs Chromium headless on a page through the checking wrapper.
enum HeadlessChromium {
    struct Chart: CustomStringConvertible {
        let id: String
        let svgs: Int
        let marks: Int
        let messages: Int
        let width: Int
        let height: Int
        var description: String { "\(id): \(svgs) svg, \(marks) marks, \(messages) messages, \(width)×\(height)" }
    }

    struct Result {
        var sections = 0
        var charts: [Chart] = []
        var console: [String] = []
    }

    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()

    /// The wrapper's script: runs once the window (and so the iframe) has loaded.
    static let wrapper = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>check</title></head><body style="margin:0">
        <iframe id="report" src="PAGE" style="width:1280px;height:900px;border:0"></iframe><pre id="result">pending</pre>
        <script>
        window.addEventListener('load', function () {
          var doc = document.getElementById('report').contentDocument, lines = [];
          lines.push('sections ' + doc.querySelectorAll('section.chart').length);
          doc.querySelectorAll('figure[data-chart]').forEach(function (figure) {
            var svgs = figure.querySelectorAll('svg'), marks = 0, messages = 0, box = {width: 0, height: 0};
            figure.querySelectorAll('svg .mark').forEach(function (mark) {
              var b = mark.getBBox(), stroke = ['line', 'polyline', 'path'].indexOf(mark.tagName) >= 0;
              if (stroke ? b.width > 0 || b.height > 0 : b.width > 0 && b.height > 0) { marks++; }
            });
            figure.querySelectorAll('svg text.empty').forEach(function (text) {
              var b = text.getBBox();
              if (b.width > 0 && b.height > 0 && text.textContent.trim() !== '') { messages++; }
            });
            if (svgs.length > 0) { box = svgs[0].getBoundingClientRect(); }
            lines.push(['chart', figure.dataset.chart, svgs.length, marks, messages, Math.round(box.width), Math.round(box.height)].join(' '));
          });
          document.getElementById('result').textContent = lines.join('\\n') + '\\nend';
        });
        </script></body></html>
        """

    static func check(page: String, scratch: String) throws -> Result {
        let chromium = try #require(path)
        let folder = (page as NSString).deletingLastPathComponent
        let check = folder + "/.browser-check.html"
        try wrapper.replacingOccurrences(of: "PAGE", with: (page as NSString).lastPathComponent).write(toFile: check, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: check) }
        let stdout = scratch + "/chromium.out", stderr = scratch + "/chromium.err"
        for file in [stdout, stderr] { try Data().write(to: URL(fileURLWithPath: file)) }
        let process = Process()
        // coreutils' timeout kills Chromium's whole process group if it hangs, so the suite cannot.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "-k", "10", "120", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--user-data-dir=\(scratch)/chromium-profile", "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0",
                             "--window-size=1280,900", "--virtual-time-budget=5000", "--dump-dom", URL(fileURLWithPath: check).absoluteString]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        try process.run()
        process.waitUntilExit()
        let dom = try String(contentsOfFile: stdout, encoding: .utf8)
        let log = try String(contentsOfFile: stderr, encoding: .utf8)
        try #require(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus): \(log.suffix(2000))")
        guard let start = dom.range(of: "<pre id=\"result\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            Issue.record("no result in the dumped DOM: \(dom.prefix(2000))")
            return Result()
        }
        let lines = dom[start.upperBound..<end.lowerBound].split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        try #require(lines.last == ["end"], "the check did not finish: \(lines)")
        var result = Result()
        for fields in lines {
            if fields.first == "sections", fields.count == 2 { result.sections = Int(fields[1]) ?? -1 }
            if fields.first == "chart", fields.count == 7 {
                let numbers = fields[2...].map { Int($0) ?? -1 }
                result.charts.append(Chart(id: fields[1], svgs: numbers[0], marks: numbers[1], messages: numbers[2], width: numbers[3], height: numbers[4]))
            }
        }
        result.console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return result
    }
}
