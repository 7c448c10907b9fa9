/// report.html's charts: each turns part of `ReportData` into one SVG through `SVGCharts`, or
/// into a one-line message when there is nothing to draw yet (so every chart has content).
enum ReportCharts {
    /// How many categories the seasonality chart draws beside all sales.
    static let topCategories = 4

    static func segments(_ data: ReportData) -> String {
        let title = "Segments: share of customers and of revenue"
        let customers = data.segments.reduce(0) { $0 + $1.customers }
        let revenue = data.segments.reduce(Int64(0)) { $0 + $1.revenueMinor }
        guard customers > 0 else { return SVGCharts.message(title: title, "No customers in the warehouse yet") }
        let rows = data.segments
        let customerShares = rows.map { Double($0.customers) / Double(customers) }
        let revenueShares = rows.map { revenue != 0 ? Double($0.revenueMinor) / Double(revenue) : 0 }
        return SVGCharts.bars(title: title, rows: rows.map(\.segment), panels: [
            SVGCharts.BarPanel(title: "Share of customers", values: customerShares,
                               labels: zip(rows, customerShares).map { "\(ReportText.percent($1)) · \(ReportText.grouped($0.customers))" },
                               tooltips: rows.map { "\($0.segment): \(ReportText.counted($0.customers, "customer"))" }),
            SVGCharts.BarPanel(title: "Share of revenue", values: revenueShares,
                               labels: zip(rows, revenueShares).map { "\(ReportText.percent($1)) · \(ReportText.compact(Double($0.revenueMinor) / Double(Money.scale)))" },
                               tooltips: rows.map { "\($0.segment): revenue \(ReportText.money($0.revenueMinor))" }),
        ], sharedScale: true)
    }

    /// Recency score down the side (best on top), frequency score across, mean monetary in each cell.
    static func recencyFrequency(_ data: ReportData) -> String {
        let title = "Mean monetary by recency and frequency score"
        guard !data.rf.isEmpty else { return SVGCharts.message(title: title, "No scored customers yet") }
        var byScores: [Int: ReportData.RFCell] = [:]
        for cell in data.rf { byScores[cell.r * 1000 + cell.f] = cell }
        let means = data.rf.map { Double($0.monetarySumMinor) / Double($0.customers) / Double(Money.scale) }
        let scores = Array((1...max(data.bins, 1)).reversed())
        let grid = SVGCharts.HeatGrid(
            corner: "R \\ F", rows: scores.map { "R \($0)" }, columns: scores.reversed().map { "F \($0)" },
            cells: scores.map { r in
                (1...max(data.bins, 1)).map { f -> SVGCharts.HeatCell? in
                    guard let cell = byScores[r * 1000 + f] else {
                        return SVGCharts.HeatCell(value: nil, text: "–", tooltip: "R \(r) · F \(f): no customers")
                    }
                    let mean = ReportText.money(cell.monetarySumMinor, dividedBy: Int64(cell.customers))
                    let who = ReportText.counted(cell.customers, "customer")
                    return SVGCharts.HeatCell(value: Double(cell.monetarySumMinor) / Double(cell.customers) / Double(Money.scale),
                                              text: mean, note: who, tooltip: "R \(r) · F \(f): \(who), mean monetary \(mean)")
                }
            },
            low: min(0, means.min() ?? 0), high: means.max() ?? 0,
            lowLabel: ReportText.compact(min(0, means.min() ?? 0)), highLabel: ReportText.compact(means.max() ?? 0), maxCellWidth: 120)
        return SVGCharts.heatMap(title: title, grid)
    }

    /// P(alive) bands down the side (most likely alive on top), CLV deciles across; customers per cell.
    static func value(_ data: ReportData) -> String {
        let title = "Customers by P(alive) and CLV decile"
        guard !data.value.isEmpty else { return SVGCharts.message(title: title, "No customer value yet: the segment stage computes it") }
        var byCell: [Int: Int] = [:]
        for cell in data.value { byCell[cell.band * 100 + cell.decile] = cell.customers }
        let bands = Array((0..<ReportData.ValueGrid.bands).reversed())
        func bandName(_ band: Int) -> String {
            let width = 1.0 / Double(ReportData.ValueGrid.bands)
            return band == ReportData.ValueGrid.bands - 1 ? "P(alive) ≥ \(ReportText.number(Double(band) * width, places: 1))"
                : "\(ReportText.number(Double(band) * width, places: 1))–\(ReportText.number(Double(band + 1) * width, places: 1))"
        }
        let most = data.value.map(\.customers).max() ?? 0
        let grid = SVGCharts.HeatGrid(
            corner: "P(alive) \\ CLV decile", rows: bands.map(bandName), columns: (1...10).map { "D\($0)" },
            cells: bands.map { band in
                (1...10).map { decile -> SVGCharts.HeatCell? in
                    let customers = byCell[band * 100 + decile] ?? 0
                    let who = ReportText.counted(customers, "customer")
                    return SVGCharts.HeatCell(value: customers > 0 ? Double(customers) : nil, text: customers > 0 ? ReportText.compact(Double(customers)) : "–",
                                              tooltip: "\(bandName(band)), CLV decile \(decile): \(who)")
                }
            },
            low: 0, high: Double(most), lowLabel: "0", highLabel: ReportText.compact(Double(most)), maxCellWidth: 60)
        return SVGCharts.heatMap(title: title, grid)
    }

    /// Segment at the previous as_of down the side, segment now across.
    static func migration(_ data: ReportData) -> String {
        let title = "Segment migration since the previous run"
        guard let previous = data.previousAsOf else {
            return SVGCharts.message(title: title, "First run: no migration yet (no earlier as_of in the warehouse)")
        }
        guard !data.migration.isEmpty else { return SVGCharts.message(title: title, "No customers at \(previous) or now") }
        let order = data.segments.map(\.segment)
        func ordered(_ names: Set<String>, last: String) -> [String] {
            order.filter { names.contains($0) } + names.subtracting(order).subtracting([last]).sorted() + (names.contains(last) ? [last] : [])
        }
        let from = ordered(Set(data.migration.map(\.from)), last: ReportData.Move.new)
        let to = ordered(Set(data.migration.map(\.to)), last: ReportData.Move.gone)
        var counts: [String: [String: Int]] = [:]
        for move in data.migration { counts[move.from, default: [:]][move.to] = move.customers }
        // Most customers stay put; scaling to the largest real move keeps the moves readable.
        let largestMove = data.migration.filter { $0.from != $0.to }.map(\.customers).max() ?? data.migration.map(\.customers).max() ?? 1
        let grid = SVGCharts.HeatGrid(
            corner: "then \\ now", rows: from, columns: to,
            cells: from.map { source in
                to.map { target in
                    let count = counts[source]?[target] ?? 0
                    return SVGCharts.HeatCell(value: Double(count), text: count > 0 ? ReportText.grouped(count) : "",
                                              tooltip: "\(source) → \(target): \(ReportText.counted(count, "customer"))")
                }
            },
            low: 0, high: Double(max(largestMove, 1)), lowLabel: "0", highLabel: "≥ \(ReportText.grouped(max(largestMove, 1)))", maxCellWidth: 80)
        return SVGCharts.heatMap(title: title, grid)
    }

    static func clusters(_ data: ReportData) -> String {
        let title = "Cluster centres"
        guard !data.clusters.isEmpty else { return SVGCharts.message(title: title, "No clusters for this as_of") }
        let rows = data.clusters
        return SVGCharts.bars(title: title, rows: rows.map { "\($0.cluster) · \($0.label)" }, panels: [
            SVGCharts.BarPanel(title: "Customers", values: rows.map { Double($0.customers) }, labels: rows.map { ReportText.grouped($0.customers) }),
            SVGCharts.BarPanel(title: "Days since last order", values: rows.map(\.recencyDays),
                               labels: rows.map { ReportText.number($0.recencyDays, places: 0) }),
            SVGCharts.BarPanel(title: "Orders", values: rows.map(\.frequency), labels: rows.map { ReportText.fixed($0.frequency, places: 1) }),
            SVGCharts.BarPanel(title: "Monetary", values: rows.map(\.monetary), labels: rows.map { ReportText.compact($0.monetary) },
                               tooltips: rows.map { "cluster \($0.cluster): centre monetary \(ReportText.money(units: $0.monetary))" }),
        ])
    }

    static func pairs(_ data: ReportData) -> String {
        let title = "Top product pairs by lift"
        guard !data.pairs.isEmpty else {
            return SVGCharts.message(title: title, "No product pair was bought together in at least \(data.pairsMinCount) orders")
        }
        return SVGCharts.bars(title: title, rows: data.pairs.map { "\($0.nameA) + \($0.nameB)" }, panels: [
            SVGCharts.BarPanel(
                title: "Lift", values: data.pairs.map(\.lift),
                labels: data.pairs.map { "\(ReportText.fixed($0.lift, places: 2)) · \(ReportText.counted($0.ordersTogether, "order")) · \(ReportText.percent($0.support, places: 2))" },
                tooltips: data.pairs.map {
                    "\($0.nameA) (\($0.productA)) + \($0.nameB) (\($0.productB)): lift \(ReportText.fixed($0.lift, places: 2)), "
                        + "\(ReportText.grouped($0.ordersTogether)) orders together, support \(ReportText.percent($0.support, places: 2))"
                }),
        ])
    }

    /// All sales and the top categories by calendar month, every month from the first sale to the last.
    static func seasonality(_ data: ReportData) -> String {
        let title = "Revenue by month"
        guard let first = data.monthTotals.map(\.month).min(), let last = data.monthTotals.map(\.month).max() else {
            return SVGCharts.message(title: title, "No sales in the figures window")
        }
        let months = Array(first...last)
        func series(_ name: String, _ cells: [ReportData.MonthRevenue]) -> SVGCharts.LineSeries {
            var byMonth: [Int: Int64] = [:]
            for cell in cells { byMonth[cell.month, default: 0] += cell.revenueMinor }
            return SVGCharts.LineSeries(name: name, values: months.map { Double(byMonth[$0] ?? 0) / Double(Money.scale) })
        }
        var totals: [String: Int64] = [:]
        for cell in data.categoryMonths { totals[cell.category ?? "", default: 0] += cell.revenueMinor }
        let top = totals.keys.sorted { totals[$0]! != totals[$1]! ? totals[$0]! > totals[$1]! : $0 < $1 }.prefix(topCategories)
        let lines = [series("All sales", data.monthTotals)] + top.map { category in
            series(data.categoryNames[category] ?? category, data.categoryMonths.filter { $0.category == category })
        }
        return SVGCharts.lines(title: title, xLabels: months.map(CohortRetention.monthText), series: lines, format: ReportText.compact)
    }

    /// The cohort triangle: cohorts down the side, months since the first order across.
    static func cohorts(_ data: ReportData) -> String {
        let title = "Cohort retention"
        guard !data.cohorts.isEmpty else { return SVGCharts.message(title: title, "No customer orders in the figures window") }
        let cohorts = Array(Set(data.cohorts.map(\.cohort))).sorted()
        let longest = data.cohorts.map(\.monthsSince).max() ?? 0
        var byKey: [Int: CohortRetention.Cell] = [:]
        for cell in data.cohorts { byKey[cell.cohort * 10_000 + cell.monthsSince] = cell }
        // Month 0 is 100% by definition; scaling to the best later month keeps the rest readable.
        let best = data.cohorts.filter { $0.monthsSince > 0 }.map { Double($0.customers) / Double($0.cohortCustomers) }.max() ?? 0
        let high = best > 0 ? best : 1
        let grid = SVGCharts.HeatGrid(
            corner: "cohort \\ months", rows: cohorts.map { cohort in
                "\(CohortRetention.monthText(cohort)) · \(ReportText.grouped(byKey[cohort * 10_000]?.cohortCustomers ?? 0))"
            }, columns: (0...longest).map(String.init),
            cells: cohorts.map { cohort in
                (0...longest).map { since -> SVGCharts.HeatCell? in
                    guard let cell = byKey[cohort * 10_000 + since] else { return nil }
                    let share = Double(cell.customers) / Double(cell.cohortCustomers)
                    return SVGCharts.HeatCell(
                        value: share, text: ReportText.percent(share, places: 0),
                        tooltip: "\(CohortRetention.monthText(cohort)) cohort, month \(since): \(ReportText.grouped(cell.customers)) of "
                            + "\(ReportText.grouped(cell.cohortCustomers)) ordered (\(ReportText.percent(share)))")
                }
            },
            low: 0, high: high, lowLabel: "0%", highLabel: "≥ " + ReportText.percent(high, places: 0), maxCellWidth: 56)
        return SVGCharts.heatMap(title: title, grid)
    }

    static func offers(_ data: ReportData) -> String {
        let title = "Offers sent by type and channel"
        guard !data.offersSent.isEmpty else { return SVGCharts.message(title: title, "No offers sent this run") }
        let known = ["email", "sms", "push"]
        let seen = Set(data.offersSent.map(\.channel))
        let channels = known.filter(seen.contains) + seen.subtracting(known).sorted()
        var counts: [String: [String: Int]] = [:]
        for count in data.offersSent { counts[count.offerType, default: [:]][count.channel, default: 0] += count.offers }
        let total = { (type: String) in counts[type]!.values.reduce(0, +) }
        let types = counts.keys.sorted { total($0) != total($1) ? total($0) > total($1) : $0 < $1 }
        return SVGCharts.stackedBars(
            title: title, rows: types, series: channels,
            values: types.map { type in channels.map { Double(counts[type]?[$0] ?? 0) } },
            totals: types.map { ReportText.counted(total($0), "offer") })
    }

    static func effectiveness(_ data: ReportData) -> String {
        let title = "Offer effectiveness: conversion uplift over the control group"
        guard !data.effects.isEmpty else { return SVGCharts.message(title: title, "No offer has a closed attribution window yet") }
        let rows = data.effects.map { effect in
            let text = "\(ReportText.points(effect.uplift)) [\(ReportText.points(effect.low)), \(ReportText.points(effect.high))] · "
                + "\(ReportText.grouped(effect.treated)) vs \(ReportText.grouped(effect.control))"
            return SVGCharts.IntervalRow(label: "\(effect.offerType) · \(effect.segment)", point: effect.uplift, low: effect.low, high: effect.high, text: text)
        }
        return SVGCharts.intervals(title: title, rows, textHeader: "uplift [95% interval] · units with offer vs control") {
            ReportText.number($0 * 100) + " pp"
        }
    }

    /// Precision@3 per group, one panel per list compared, on one scale.
    static func backtest(_ data: ReportData) -> String {
        let title = "Backtest: precision@3 of the offers against the baselines"
        guard let backtest = data.backtest else {
            return SVGCharts.message(title: title, "No backtest yet: loyalty backtest --as-of DATE --horizon-days N")
        }
        guard !backtest.groups.isEmpty else {
            return SVGCharts.message(title: title, "The backtest as of \(backtest.asOf) has no offers with a product to score")
        }
        let groups = backtest.groups
        let names: [BacktestFigures.Recommender: String] = [.offers: "Offers", .candidates: "Candidates", .popular: "Popular",
                                                            .ownRepeats: "Own repeats"]
        return SVGCharts.bars(title: title, rows: groups.map(\.scope), panels: ReportBacktest.compared.map { recommender in
            SVGCharts.BarPanel(
                title: names[recommender]!, values: groups.map { $0.precision[recommender] ?? 0 },
                labels: groups.map { $0.precision[recommender].map { ReportText.percent($0) } ?? "–" },
                tooltips: groups.map { group in
                    "\(group.scope), \(names[recommender]!.lowercased()): precision@3 "
                        + (group.precision[recommender].map { ReportText.percent($0, places: 2) } ?? "none (empty lists)")
                        + " over \(ReportText.counted(group.buyers, "buyer")) of \(ReportText.grouped(group.customers))"
                })
        }, sharedScale: true)
    }
}
