/// Birthday: the customer's birthday falls within the next `offers.birthday_days_ahead` days
/// (today included; 29 February counts as 28 February in other years). Propensity 0.2.
struct BirthdayOffers: OfferGenerator {
    let type = OfferType.birthday

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard let birthday = customer.birthday, let next = Self.nextBirthday(birthday, onOrAfter: run.asOf),
              next - run.asOf <= Int64(run.config.birthdayDaysAhead) else { return }
        candidates.append(OfferCandidate(type: type, discountPct: run.discount(type), propensity: 0.2, facts: .birthday(day: next)))
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .birthday(day) = candidate.facts else { return .empty }
        let pct = candidate.discountPct
        return "Happy birthday on \(date: day)" + (pct > 0 ? ": \(pct)% off" : "")
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .birthday(day) = candidate.facts else { return .empty }
        return "birthday \(date: day), \(day - run.asOf) days after as_of"
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
