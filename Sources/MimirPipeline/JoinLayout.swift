/// Where each output column of a join comes from. Right-hand key columns are dropped (they
/// equal the left keys on a match); right-hand names that clash get the suffix, repeatedly if
/// needed, so every output name is unique.
struct JoinLayout {
    let outputColumns: [String]
    /// Indices into the right row of the columns appended after the left columns.
    let rightColumnIndices: [Int]

    init(left: [String], right: [String], rightKeys: [String], suffix: String) {
        var names = left
        var taken = Set(left)
        var indices: [Int] = []
        for (index, name) in right.enumerated() where !rightKeys.contains(name) {
            var candidate = name
            while taken.contains(candidate) { candidate += suffix }
            taken.insert(candidate)
            names.append(candidate)
            indices.append(index)
        }
        outputColumns = names
        rightColumnIndices = indices
    }
}
