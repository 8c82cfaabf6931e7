import MimirCore

/// What a run did, per step and per output; `json` is the job result document.
public struct PipelineResult: Sendable {
    public struct Step: Sendable, Hashable {
        public let index: Int
        public let kind: String
        public let rowsIn: Int
        public let rowsOut: Int
        public let rowsSkipped: Int
        /// Time spent in this step itself, upstream steps excluded.
        public let seconds: Double
    }

    public struct Output: Sendable, Hashable {
        public let step: Int
        public let dataset: String
        public let path: String
        public let format: DataFormat
        public let rows: Int
        public let bytes: Int64
    }

    public struct Column: Sendable, Hashable {
        public let name: String
        /// As observed in the last sink: integer, number, string, boolean, null or mixed.
        public let type: String
    }

    public let steps: [Step]
    public let outputs: [Output]
    public let schema: [Column]
    public let rowsSkipped: Int
    public let badRows: [BadRow]
    public let bytesRead: Int64
    public let seconds: Double

    public var json: JSONValue {
        .object([
            "steps": .array(
                steps.map { step in
                    [
                        "index": .integer(Int64(step.index)), "kind": .string(step.kind),
                        "rows_in": .integer(Int64(step.rowsIn)), "rows_out": .integer(Int64(step.rowsOut)),
                        "rows_skipped": .integer(Int64(step.rowsSkipped)), "seconds": .number(step.seconds),
                    ]
                }),
            "outputs": .array(
                outputs.map { output in
                    [
                        "step": .integer(Int64(output.step)), "dataset": .string(output.dataset),
                        "path": .string(output.path), "format": .string(output.format.rawValue),
                        "rows": .integer(Int64(output.rows)), "bytes": .integer(output.bytes),
                    ]
                }),
            "schema": .array(schema.map { ["name": .string($0.name), "type": .string($0.type)] }),
            "rows_skipped": .integer(Int64(rowsSkipped)),
            "bad_rows": .array(badRows.map(\.json)),
            "bytes_read": .integer(bytesRead),
            "seconds": .number(seconds),
        ])
    }
}

extension BadRow {
    public var json: JSONValue {
        var object: [String: JSONValue] = ["step": .integer(Int64(step)), "message": .string(message)]
        object["line"] = line.map { .integer(Int64($0)) } ?? .null
        if let dataset { object["dataset"] = .string(dataset) }
        return .object(object)
    }
}
