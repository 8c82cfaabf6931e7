import MimirCore
import MimirExpressions

/// A dataset file written row by row outside a pipeline (a batch of predictions), in the formats
/// and with the atomic rename of a pipeline's `sink`: nothing appears at `path` until `commit`.
public final class DatasetFileWriter {
    public let path: String
    public let format: DataFormat
    private let file: OutputFile
    private let writer: any RowWriter
    private let dataset: String
    public private(set) var rows = 0

    /// `format` defaults to what the name implies; CSV gets a header row.
    public init(path: String, dataset: String? = nil, columns: [String], format: DataFormat? = nil)
        throws(PipelineError)
    {
        let name = dataset ?? path
        guard let format = format ?? DataFormat.inferred(from: name) ?? DataFormat.inferred(from: path) else {
            throw .dataset(step: 0, dataset: name, message: "unknown format: name it .csv, .tsv, .jsonl or .json")
        }
        self.path = path
        self.format = format
        self.dataset = name
        let options = SinkOptions(
            dataset: name, format: format,
            delimiter: name.lowercased().hasSuffix(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ","), header: true)
        do throws(FileFailure) {
            file = try OutputFile(path: path)
            writer = RowWriters.make(options, file: file)
            try writer.begin(columns: columns)
        } catch {
            throw .dataset(step: 0, dataset: name, message: error.description)
        }
    }

    /// One row, values in the order of `columns`; arrays and objects are written as JSON text.
    public func write(_ values: [JSONValue]) throws(PipelineError) {
        do throws(FileFailure) {
            try writer.write(values.map { ExpressionValue(json: $0) ?? .string($0.jsonText()) })
            try file.flushIfNeeded()
        } catch {
            throw .dataset(step: 0, dataset: dataset, message: error.description)
        }
        rows += 1
    }

    /// Finishes the file and moves it into place; returns its size in bytes.
    @discardableResult
    public func commit() throws(PipelineError) -> Int64 {
        do throws(FileFailure) {
            try writer.end()
            try file.commit()
        } catch {
            throw .dataset(step: 0, dataset: dataset, message: error.description)
        }
        return file.bytesWritten
    }
}
