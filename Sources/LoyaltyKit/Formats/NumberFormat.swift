/// How outputs write numbers that are not money.
public enum NumberFormat {
    /// The shortest decimal that reads back as the same binary64 value (the contract's rule for
    /// ratios), e.g. 0.1, 0.3333333333333333, 2.0, 1e-05.
    public static func shortest(_ value: Double) -> String {
        value.description
    }
}
