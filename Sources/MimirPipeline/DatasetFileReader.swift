import MimirCore

/// A dataset file read record by record outside a pipeline — a twin's observations, a model's
/// training table — with the readers, formats and type inference of a pipeline's `source`, so
/// every job type reads CSV, JSON Lines and JSON arrays the same way.
public final class DatasetFileReader {
    public let columns: [String]
    private let reader: any RecordReader
    private let monitor: ExecutionMonitor
    private let dataset: String

    /// `format` defaults to what the name implies (.csv, .tsv, .jsonl, .ndjson, .json). CSV values
    /// become integers, numbers, booleans and nulls where they look like them when `inferTypes`.
    public init(
        path: String, dataset: String? = nil, format: DataFormat? = nil, delimiter: UInt8? = nil, header: Bool = true,
        inferTypes: Bool = true, isCancelled: @escaping () -> Bool = { false }
    ) throws(PipelineError) {
        let name = dataset ?? path
        guard let format = format ?? DataFormat.inferred(from: name) ?? DataFormat.inferred(from: path) else {
            throw .dataset(step: 0, dataset: name, message: "unknown format: name it .csv, .tsv, .jsonl or .json")
        }
        let options = SourceOptions(
            dataset: name, format: format,
            delimiter: delimiter ?? (name.lowercased().hasSuffix(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ",")),
            header: header, inferTypes: inferTypes, columns: nil, maxBytes: SourceOptions.defaultMaxJSONBytes)
        monitor = ExecutionMonitor(options: PipelineRunOptions(isCancelled: isCancelled), totalBytes: 0)
        self.dataset = name
        do throws(FileFailure) {
            reader = try RecordReaders.open(options, path: path, monitor: monitor)
        } catch {
            throw .dataset(step: 0, dataset: name, message: error.description)
        }
        columns = reader.columns
    }

    /// The next record's values, by column, and its line; `nil` at the end. A record that cannot
    /// be read throws `.badRow` with its line.
    public func next() throws(PipelineError) -> (line: Int, values: [JSONValue])? {
        let outcome: RecordOutcome
        do throws(FileFailure) {
            outcome = try reader.next()
        } catch {
            throw .dataset(step: 0, dataset: dataset, message: error.description)
        }
        switch outcome {
        case .row(let row):
            try monitor.tick(rows: 1)
            return (row.line, row.values.map(\.jsonValue))
        case .bad(let line, let message):
            throw .badRow(BadRow(step: 0, line: line, message: message, dataset: dataset))
        case .end:
            return nil
        }
    }

    /// Every remaining record as an object keyed by column, with its line.
    public func objects() throws(PipelineError) -> [(line: Int, fields: [String: JSONValue])] {
        var all: [(line: Int, fields: [String: JSONValue])] = []
        while let record = try next() {
            var fields: [String: JSONValue] = [:]
            for (column, value) in zip(columns, record.values) { fields[column] = value }
            all.append((record.line, fields))
        }
        return all
    }
}
