/// Why a contact address was not accepted: the `reason` of contact_issues.csv and of a reject.
public enum AddressProblem: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(bytes: Int, maximum: Int)
    case nonASCII
    case spaceOrControl
    case noAt
    case moreThanOneAt
    case emptyLocalPart
    case localPartTooLong(bytes: Int, maximum: Int)
    case formulaLeader(Character)
    case misplacedDot
    case notAllowed(Character)
    case emptyDomain
    case domainWithoutDot
    case badDomainLabel(String)
    case badTopLevelDomain(String)
    case phoneCharacter(Character)
    case misplacedPlus
    case digitCount(Int)
    case countryCodeZero
    case nationalWithoutCountryCode

    public var description: String {
        switch self {
        case .empty: return "is empty"
        case let .tooLong(bytes, maximum): return "is \(bytes) bytes long, at most \(maximum) allowed"
        case .nonASCII: return "has a non-ASCII character (internationalised addresses are not accepted; give the domain in its xn-- form)"
        case .spaceOrControl: return "has a space or control character inside"
        case .noAt: return "has no '@'"
        case .moreThanOneAt: return "has more than one '@'"
        case .emptyLocalPart: return "has nothing before the '@'"
        case let .localPartTooLong(bytes, maximum): return "the part before the '@' is \(bytes) bytes long, at most \(maximum) allowed"
        case let .formulaLeader(character): return "starts with '\(character)', which spreadsheets run as a formula"
        case .misplacedDot: return "has a dot at the start or end of the part before the '@', or two dots in a row"
        case let .notAllowed(character): return "has '\(character)' before the '@', which is not allowed"
        case .emptyDomain: return "has no domain after the '@'"
        case .domainWithoutDot: return "has a domain without a dot"
        case let .badDomainLabel(label): return "has a domain part '\(label)' that is not letters, digits and inner hyphens (at most 63)"
        case let .badTopLevelDomain(label): return "has a top-level domain '\(label)' that is not valid"
        case let .phoneCharacter(character): return "has '\(character)', which is not a digit or a separator (space - . ( ) /)"
        case .misplacedPlus: return "has a '+' that is not at the start"
        case let .digitCount(count): return "has \(count) digits with the country code, E.164 needs 8 to 15"
        case .countryCodeZero: return "has a country code starting with 0"
        case .nationalWithoutCountryCode:
            return "is a national number (no + or 00) and ingest.phone_country_code is not set to complete it"
        }
    }
}
