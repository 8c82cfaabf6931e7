import MimirExpressions

/// Reads a CSV file into rows. Without a header the first record only tells how many columns
/// there are; it is still returned as data.
final class CSVReader: RecordReader {
    private let parser: CSVRecordParser
    private let inferTypes: Bool
    private(set) var columns: [String] = []
    private var pending: RecordOutcome?

    init(file: ChunkedFileReader, options: SourceOptions) throws(FileFailure) {
        parser = CSVRecordParser(reader: file, delimiter: options.delimiter)
        inferTypes = options.inferTypes
        let first = try parser.next()
        if options.header {
            if case .record = first {
                let names = parser.fields.map { field in
                    FieldDecoder.value(UnsafeBufferPointer(file.storage), field, inferTypes: false).text
                }
                columns = RecordReaders.uniqueNames(names)
            }
            if let declared = options.columns {
                guard columns.isEmpty || declared.count == columns.count else {
                    throw FileFailure.system(
                        "\"columns\" declares \(declared.count) names but the header has \(columns.count): "
                            + columns.joined(separator: ", "))
                }
                columns = declared
            }
        } else {
            columns = options.columns ?? (1...max(1, parser.fields.count)).map { "column_\($0)" }
            pending = convert(first)
        }
    }

    func next() throws(FileFailure) -> RecordOutcome {
        if let pending {
            self.pending = nil
            return pending
        }
        return convert(try parser.next())
    }

    private func convert(_ outcome: CSVRecordParser.Outcome) -> RecordOutcome {
        switch outcome {
        case .endOfFile: return .end
        case .malformed(let message): return .bad(line: parser.recordLine, message: message)
        case .record:
            let fields = parser.fields
            guard fields.count == columns.count else {
                return .bad(
                    line: parser.recordLine, message: "expected \(columns.count) fields, found \(fields.count)")
            }
            var values: [ExpressionValue] = []
            values.reserveCapacity(fields.count)
            let bytes = UnsafeBufferPointer(parser.reader.storage)
            for field in fields { values.append(FieldDecoder.value(bytes, field, inferTypes: inferTypes)) }
            return .row(Row(values: values, line: parser.recordLine))
        }
    }
}
