/// Flattens the category tree: for each category its ancestors at every level (1 = root), its
/// depth and a readable path ("Food > Pasta"). Ingest guarantees the tree has no cycle.
struct CategoryPaths {
    struct Entry: Equatable {
        var depth: Int
        /// Ancestors from the root (index 0) to the category itself.
        var lineage: [Int64]
        var path: String
        var pathIds: String
    }

    var entries: [Int64: Entry]

    /// - Parameter categories: key → (id, name, parent key).
    init(categories: [Int64: (id: String, name: String, parent: Int64?)]) {
        var entries: [Int64: Entry] = [:]
        for key in categories.keys.sorted() {
            var lineage: [Int64] = []
            var current: Int64? = key
            while let node = current, let category = categories[node], !lineage.contains(node) {
                lineage.append(node)
                current = category.parent
            }
            lineage.reverse()
            entries[key] = Entry(
                depth: lineage.count, lineage: lineage,
                path: lineage.compactMap { categories[$0]?.name }.joined(separator: " > "),
                pathIds: lineage.compactMap { categories[$0]?.id }.joined(separator: "/"))
        }
        self.entries = entries
    }
}
