import MimirCore

/// What a feature column holds. Decided from the data, not declared, because CSV carries no types:
/// a column whose present cells all read as numbers is numeric, any other is categorical.
public enum ColumnKind: String, Sendable, Equatable {
    case numeric
    case categorical

    /// Share of non-numbers below which a mostly numeric column is taken to hold typos rather than
    /// categories: training stops and names the first offending cell instead of silently one-hot
    /// encoding a measurement. A column listed in `categorical_features` skips the check.
    static let typoShare = 0.05

    /// The kind of a column. A column with no present cell counts as numeric, so that training
    /// reports it as having no values rather than as a category-less categorical column.
    static func detect(_ cells: [JSONValue], column: String) throws(MLError) -> ColumnKind {
        var numbers = 0
        var texts = 0
        var firstText: Int?
        for (row, value) in cells.enumerated() {
            switch Cell(value) {
            case .missing: continue
            case .number: numbers += 1
            case .text:
                texts += 1
                if firstText == nil { firstText = row }
            }
        }
        guard let firstText else { return .numeric }
        if numbers > 0, Double(texts) < typoShare * Double(numbers + texts) {
            throw .invalidData(
                "column \(MLError.show(column)), row \(firstText + 1): \(Cell.display(cells[firstText])) is not a number"
                    + " (\(numbers) of the column's \(numbers + texts) values are numbers; list the column in"
                    + " \"categorical_features\" if it really holds categories)")
        }
        return .categorical
    }
}
