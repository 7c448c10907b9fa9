/// The contract's seven input files: their columns (in the order loaders address them) and which
/// are required. Listed in load order: a file may refer only to entities loaded before it.
enum InputEntity: String, CaseIterable, Sendable {
    case categories
    case products
    case productAttributes = "product_attributes"
    case customers
    case suppressions
    case transactions
    case offerEvents = "offer_events"

    var columns: [String] {
        switch self {
        case .categories: return ["category_id", "parent_id", "name"]
        case .products: return ["product_id", "name", "category_id", "brand", "price", "cost", "launched_on", "active"]
        case .productAttributes: return ["product_id", "attribute", "value"]
        case .customers:
            return ["customer_id", "email", "phone", "first_name", "birth_date", "city", "region", "signup_date",
                    "consent_email", "consent_sms", "consent_push"]
        // `until` is the project's own: the day a suppression ends (a lifted hold, a fixed bounce).
        case .suppressions: return ["customer_id", "email", "phone", "channel", "reason", "since", "until"]
        case .transactions:
            return ["order_id", "customer_id", "ordered_at", "product_id", "quantity", "unit_price", "discount",
                    "store_id", "channel", "bonus_earned", "bonus_spent"]
        case .offerEvents: return ["offer_id", "customer_id", "event", "at", "order_id"]
        }
    }

    var required: Set<String> {
        switch self {
        case .categories: return ["category_id", "name"]
        case .products: return ["product_id", "name", "price"]
        case .productAttributes: return ["product_id", "attribute"]
        case .customers: return ["customer_id"]
        // One of customer_id, email and phone: checked row by row (`SuppressionLoader`).
        case .suppressions: return []
        case .transactions: return ["order_id", "ordered_at", "product_id", "quantity", "unit_price"]
        case .offerEvents: return ["offer_id", "customer_id", "event", "at"]
        }
    }

    /// Orders in JSON Lines may carry their lines nested under this key.
    var nestedKey: String? { self == .transactions ? "lines" : nil }

    /// The names this entity's file may have in a delivery folder, CSV first.
    var fileNames: [String] {
        [".csv", ".csv.gz", ".jsonl", ".jsonl.gz"].map { rawValue + $0 }
    }
}
