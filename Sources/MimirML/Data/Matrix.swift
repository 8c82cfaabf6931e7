/// A dense row-major matrix of doubles: the encoded features every algorithm consumes. Row-major
/// because prediction and the linear models walk one sample at a time.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix storage does not match its shape")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The rows at `indices`, in that order.
    func selecting(rows indices: [Int]) -> Matrix {
        var picked = [Double]()
        picked.reserveCapacity(indices.count * columns)
        for row in indices { picked.append(contentsOf: values[(row * columns)..<((row + 1) * columns)]) }
        return Matrix(rows: indices.count, columns: columns, values: picked)
    }

    /// Column-major copy for the tree learners, which scan one feature across many samples.
    func columnMajor() -> [[Double]] {
        var result = Array(repeating: [Double](repeating: 0, count: rows), count: columns)
        for column in 0..<columns {
            result[column].withUnsafeMutableBufferPointer { target in
                values.withUnsafeBufferPointer { source in
                    for row in 0..<rows { target[row] = source[row * columns + column] }
                }
            }
        }
        return result
    }
}
