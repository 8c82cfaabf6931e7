import MimirCore

/// Reads the target column, naming the row of any cell that cannot serve as a target.
enum TargetReader {
    static func values(_ table: Table, column: String, rows: [Int]) throws(MLError) -> [Double] {
        let cells = try columnCells(table, column)
        var result: [Double] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            switch Cell(cells[row]) {
            case .number(let value): result.append(value)
            case .missing: throw missing(column, row)
            case .text:
                throw .invalidData(
                    "column \(MLError.show(column)), row \(row + 1): \(Cell.display(cells[row])) is not a number"
                        + " (a regression target must be numeric)")
            }
        }
        return result
    }

    static func labels(_ table: Table, column: String, rows: [Int]) throws(MLError) -> [String] {
        let cells = try columnCells(table, column)
        var result: [String] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            guard let key = Cell(cells[row]).categoryKey else { throw missing(column, row) }
            result.append(key)
        }
        return result
    }

    /// Class order for the artifact: numerically when every label is a number (so "10" follows
    /// "9"), else by string comparison.
    static func orderedClasses(_ labels: [String]) -> [String] {
        let distinct = Array(Set(labels))
        let numbers = distinct.compactMap { Double($0) }
        if numbers.count == distinct.count {
            return distinct.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
        }
        return distinct.sorted()
    }

    static func classIndices(_ labels: [String], classes: [String], column: String, rows: [Int]) throws(MLError)
        -> [Int]
    {
        var lookup: [String: Int] = [:]
        for (index, name) in classes.enumerated() { lookup[name] = index }
        var result: [Int] = []
        result.reserveCapacity(labels.count)
        for (position, label) in labels.enumerated() {
            guard let index = lookup[label] else {
                throw .invalidData(
                    "column \(MLError.show(column)), row \(rows[position] + 1): class \(MLError.show(label))"
                        + " was not seen in training")
            }
            result.append(index)
        }
        return result
    }

    private static func columnCells(_ table: Table, _ column: String) throws(MLError) -> [JSONValue] {
        guard let cells = table.cells(of: column) else {
            throw .invalidData(
                "target column \(MLError.show(column)) is missing (columns: \(table.columns.map(MLError.show).joined(separator: ", ")))"
            )
        }
        return cells
    }

    private static func missing(_ column: String, _ row: Int) -> MLError {
        .invalidData("column \(MLError.show(column)), row \(row + 1): the target is missing")
    }
}
