import MimirExpressions

/// What reading one record produced.
enum RecordOutcome {
    case row(Row)
    /// A record that was consumed but could not become a row; the row-error policy decides.
    case bad(line: Int, message: String)
    case end
}

/// A dataset being read record by record. `columns` is known as soon as the reader is open
/// (from the header, the declaration, or the first record), before any row is handed out.
protocol RecordReader: AnyObject {
    var columns: [String] { get }
    func next() throws(FileFailure) -> RecordOutcome
}

enum RecordReaders {
    static func open(_ options: SourceOptions, path: String, monitor: ExecutionMonitor) throws(FileFailure)
        -> any RecordReader
    {
        let file = try ChunkedFileReader(path: path) { [unowned monitor] count in monitor.addBytes(count) }
        switch options.format {
        case .csv: return try CSVReader(file: file, options: options)
        case .jsonl: return try JSONLinesReader(file: file, declared: options.columns)
        case .json: return try JSONArrayReader(file: file, declared: options.columns, maxBytes: options.maxBytes)
        }
    }

    /// Header names made usable: blanks become `column_N`, repeats get `_2`, `_3`…
    static func uniqueNames(_ raw: [String]) -> [String] {
        var seen: Set<String> = []
        var names: [String] = []
        for (index, name) in raw.enumerated() {
            let base = name.isEmpty ? "column_\(index + 1)" : name
            var candidate = base
            var counter = 2
            while seen.contains(candidate) {
                candidate = "\(base)_\(counter)"
                counter += 1
            }
            seen.insert(candidate)
            names.append(candidate)
        }
        return names
    }
}
