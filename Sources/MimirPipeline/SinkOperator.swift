import MimirCore
import MimirExpressions

/// Writes every row it sees and passes it on, so a pipeline may write intermediate results
/// and keep going. The file appears under its final name only when the whole run succeeds.
final class SinkOperator: RowOperator {
    private let input: any RowOperator
    private let writer: any RowWriter
    let file: OutputFile
    let options: SinkOptions
    let columns: [String]
    let stepIndex: Int
    private(set) var rowsWritten = 0
    /// Per column, a bit per value type seen, to report the output schema's types.
    private(set) var typesSeen: [UInt8]

    init(input: any RowOperator, options: SinkOptions, file: OutputFile, columns: [String], step: Int)
        throws(PipelineError)
    {
        self.input = input
        self.options = options
        self.file = file
        self.columns = columns
        self.stepIndex = step
        writer = RowWriters.make(options, file: file)
        typesSeen = Array(repeating: 0, count: columns.count)
        try guarded { () throws(FileFailure) in try writer.begin(columns: columns) }
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        guard let batch = try input.nextBatch() else { return nil }
        try guarded { () throws(FileFailure) in
            for row in batch {
                try writer.write(row.values)
                for (index, value) in row.values.enumerated() { typesSeen[index] |= Self.typeBit(value) }
            }
        }
        rowsWritten += batch.count
        return batch
    }

    func commit() throws(PipelineError) {
        try guarded { () throws(FileFailure) in
            try writer.end()
            try file.commit()
        }
    }

    private func guarded(_ body: () throws(FileFailure) -> Void) throws(PipelineError) {
        do throws(FileFailure) {
            try body()
        } catch {
            throw .dataset(step: stepIndex, dataset: options.dataset, message: error.description)
        }
    }

    private static func typeBit(_ value: ExpressionValue) -> UInt8 {
        switch value {
        case .null: 0
        case .bool: 1
        case .integer: 2
        case .number: 4
        case .string: 8
        }
    }

    /// "integer", "number" (integers mixed with numbers), "boolean", "string", "null" when
    /// every value was null, or "mixed".
    static func typeName(bits: UInt8) -> String {
        switch bits {
        case 0: "null"
        case 1: "boolean"
        case 2: "integer"
        case 4, 6: "number"
        case 8: "string"
        default: "mixed"
        }
    }
}
