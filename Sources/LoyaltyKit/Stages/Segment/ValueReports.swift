/// customer_value.csv and value_model.json (columns and keys in docs/outputs.md).
enum ValueReports {
    /// - Parameter document: `modelJSON`'s text (the table keeps the same).
    static func write(_ value: CustomerValue, document: String, to outputs: OutputFolder) throws {
        try outputs.writeCSV("customer_value.csv", header: [
            "customer_id", "repeat_purchases", "t_x_days", "t_days", "p_alive", "expected_purchases", "expected_order_value", "clv",
            "clv_decile",
        ]) { csv in
            for customer in value.customers {
                try csv.text(customer.id)
                try csv.integer(customer.inputs.map { Int64($0.repeatPurchases) })
                try csv.integer(customer.inputs.map { Int64($0.lastPurchase) })
                try csv.integer(customer.inputs.map { Int64($0.age) })
                try csv.real(customer.probabilityAlive)
                try csv.real(customer.expectedPurchases)
                try csv.money(customer.expectedSpend.map(minorUnits))
                try csv.money(customer.clv.map(minorUnits))
                try csv.integer(customer.clvDecile)
                try csv.endRow()
            }
        }
        try outputs.write("value_model.json", text: document)
    }

    /// An estimate in major units as minor units, rounded to the cent first, so the CSV's
    /// 2-decimal rounding never rounds twice. `CustomerValue` keeps estimates below
    /// `CustomerValue.largestMoney`, so this cannot overflow.
    static func minorUnits(_ major: Double) -> Int64 {
        Int64((major * 100).rounded()) * (Money.scale / 100)
    }

    /// One object, keys in a fixed order; parameters in the shortest form that reads back exactly.
    static func modelJSON(_ value: CustomerValue, asOf: String) -> String {
        let model = value.model
        func real(_ number: Double?) -> String { number.flatMap { $0.isFinite ? NumberFormat.shortest($0) : nil } ?? "null" }
        func fit(_ fit: LikelihoodFit?, parameters: [(String, Double?)]) -> String {
            let fields = parameters.map { ("\"\($0.0)\"", real($0.1)) } + [
                ("\"log_likelihood\"", real(fit?.logLikelihood)), ("\"customers\"", fit.map { String($0.customers) } ?? "0"),
                ("\"iterations\"", fit.map { String($0.iterations) } ?? "null"), ("\"converged\"", fit.map { $0.converged ? "true" : "false" } ?? "null"),
                ("\"gradient\"", real(fit?.gradient)),
                ("\"unidentified\"", "[" + (fit?.unidentified ?? []).map(JSONString.quoted).joined(separator: ", ") + "]"),
            ]
            return "{\n" + fields.map { "    \($0.0): \($0.1)" }.joined(separator: ",\n") + "\n  }"
        }
        let purchasing = model.purchasing?.model, spending = model.spending?.model
        let fields: [(String, String)] = [
            ("as_of", JSONString.quoted(asOf)), ("time_unit", JSONString.quoted("day")),
            ("horizon_days", String(model.horizonDays)), ("discount_rate_annual", real(model.discountRateAnnual)),
            ("margin_share", real(model.marginShare)),
            ("bgnbd", fit(model.purchasing?.fit, parameters: [("r", purchasing?.r), ("alpha", purchasing?.alpha), ("a", purchasing?.a),
                                                              ("b", purchasing?.b)])),
            ("gamma_gamma", fit(model.spending?.fit, parameters: [("p", spending?.p), ("q", spending?.q), ("v", spending?.v),
                                                                 ("population_mean_order_value", spending?.populationMean)])),
            ("frequency_spend_correlation", real(model.frequencySpendCorrelation)),
            ("warnings", "[" + value.warnings.map(JSONString.quoted).joined(separator: ", ") + "]"),
        ]
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }
}
