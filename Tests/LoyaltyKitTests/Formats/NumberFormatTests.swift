import Testing
@testable import LoyaltyKit

@Suite struct NumberFormatTests {
    /// Three significant digits, no exponent, for the lines people read.
    @Test(arguments: [
        (0.22819999999999996, "0.228"), (0.022245208147262503, "0.0222"), (1.7649, "1.76"), (1.765, "1.77"), (25.68, "25.7"),
        (166.86, "167"), (12_345.6, "12300"), (0.5, "0.500"), (1, "1.00"), (0, "0"), (-0.04567, "-0.0457"), (4.340199878403897e-10, "0.000000000434"),
        (9.996, "10.0"), (0.09996, "0.100"), (999.7, "1000"), (-9.996, "-10.0"), (0.000099996, "0.000100"), (1e25, "1e+25"),
        (5e-324, "4.94e-324"),
    ])
    func forPeople(value: Double, text: String) {
        #expect(NumberFormat.forPeople(value) == text)
    }
}
