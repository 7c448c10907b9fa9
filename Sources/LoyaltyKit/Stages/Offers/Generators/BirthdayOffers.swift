/// Birthday: the customer's birthday falls within the next `offers.birthday_days_ahead` days
/// (today included; 29 February counts as 28 February in other years). Propensity 0.2.
struct BirthdayOffers: OfferGenerator {
    let type = OfferType.birthday

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        guard let birthday = customer.birthday, let next = Self.nextBirthday(birthday, onOrAfter: run.asOf),
              next - run.asOf <= Int64(run.config.birthdayDaysAhead) else { return [] }
        let pct = run.discount(type)
        return [OfferCandidate(
            type: type, discountPct: pct, propensity: 0.2,
            reason: "Happy birthday on \(CivilDate.format(next))" + (pct > 0 ? ": \(pct)% off" : ""),
            evidence: "birthday \(CivilDate.format(next)), \(next - run.asOf) days after as_of")]
    }

    /// The day number of the next birthday on or after `day`.
    static func nextBirthday(_ birthday: (month: Int, day: Int), onOrAfter day: Int64) -> Int64? {
        guard (1...12).contains(birthday.month), birthday.day >= 1 else { return nil }
        let year = CivilDate.civil(day).year
        for candidateYear in [year, year + 1] {
            let dayOfMonth = min(birthday.day, CivilDate.daysInMonth(year: candidateYear, month: birthday.month))
            let date = CivilDate.days(year: candidateYear, month: birthday.month, day: dayOfMonth)
            if date >= day { return date }
        }
        return nil
    }
}
