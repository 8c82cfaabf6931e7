import MimirCore

/// A dataset as the caller read it: named columns and rows of JSON cells. CSV readers hand every
/// cell over as a string, JSON Lines readers as typed values; the library decides per column what
/// the cells mean (see `ColumnKind`). Cells are kept column by column because every consumer
/// (kind detection, imputation, encoding) walks one column at a time.
public struct Table: Sendable {
    public let columns: [String]
    public let rowCount: Int
    /// `storage[c][r]` is the cell of column `c` in row `r` (0-based).
    let storage: [[JSONValue]]
    private let positions: [String: Int]

    /// Rows given as arrays in column order. Fails on duplicate column names or a row of the wrong
    /// width, naming the row (1-based, header not counted).
    public init(columns: [String], rows: [[JSONValue]]) throws(MLError) {
        var builder = try TableBuilder(columns: columns)
        for row in rows { try builder.append(row) }
        self = builder.build()
    }

    /// Rows given as JSON objects (inline inference rows). Columns are `columns` when given, else
    /// the union of all keys in first-seen order; a key absent from a row is a missing cell.
    public init(objects: [[String: JSONValue]], columns: [String]? = nil) throws(MLError) {
        var names = columns ?? []
        if columns == nil {
            var seen = Set<String>()
            for object in objects {
                for key in object.keys.sorted() where seen.insert(key).inserted { names.append(key) }
            }
        }
        var builder = try TableBuilder(columns: names)
        for object in objects { try builder.append(names.map { object[$0] ?? .null }) }
        self = builder.build()
    }

    init(validatedColumns: [String], storage: [[JSONValue]], rowCount: Int) {
        self.columns = validatedColumns
        self.storage = storage
        self.rowCount = rowCount
        var positions: [String: Int] = [:]
        for (index, name) in validatedColumns.enumerated() { positions[name] = index }
        self.positions = positions
    }

    public func columnIndex(_ name: String) -> Int? { positions[name] }

    /// The cells of a column, or nil when there is no such column.
    public func cells(of name: String) -> [JSONValue]? {
        positions[name].map { storage[$0] }
    }

    public subscript(row row: Int, column column: Int) -> JSONValue { storage[column][row] }

    /// One row as a JSON object (for echoing inline rows back with their predictions).
    public func object(at row: Int) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for (index, name) in columns.enumerated() { object[name] = storage[index][row] }
        return object
    }

    /// The rows at `indices`, in that order: how splits and folds are cut out of a dataset.
    public func selecting(rows indices: [Int]) -> Table {
        Table(
            validatedColumns: columns,
            storage: storage.map { column in indices.map { column[$0] } },
            rowCount: indices.count)
    }
}

/// Builds a `Table` one row at a time, so a reader can stream a file in without first holding it
/// as an array of rows.
public struct TableBuilder: Sendable {
    public let columns: [String]
    private var storage: [[JSONValue]]
    private var rowCount = 0

    public init(columns: [String]) throws(MLError) {
        var seen = Set<String>()
        for name in columns where !seen.insert(name).inserted {
            throw .invalidData("column \(MLError.show(name)) appears more than once in the header")
        }
        self.columns = columns
        self.storage = Array(repeating: [], count: columns.count)
    }

    public mutating func reserveCapacity(_ rows: Int) {
        for index in storage.indices { storage[index].reserveCapacity(rows) }
    }

    public mutating func append(_ row: [JSONValue]) throws(MLError) {
        guard row.count == columns.count else {
            throw .invalidData("row \(rowCount + 1) has \(row.count) cells but the header has \(columns.count) columns")
        }
        for (index, cell) in row.enumerated() { storage[index].append(cell) }
        rowCount += 1
    }

    public func build() -> Table {
        Table(validatedColumns: columns, storage: storage, rowCount: rowCount)
    }
}
