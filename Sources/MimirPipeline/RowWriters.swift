import MimirExpressions

/// Serialises rows in one format onto an `OutputFile`.
protocol RowWriter: AnyObject {
    func begin(columns: [String]) throws(FileFailure)
    func write(_ values: [ExpressionValue]) throws(FileFailure)
    func end() throws(FileFailure)
}

enum RowWriters {
    static func make(_ options: SinkOptions, file: OutputFile) -> any RowWriter {
        switch options.format {
        case .csv: CSVWriter(file: file, delimiter: options.delimiter, header: options.header)
        case .jsonl: JSONRowWriter(file: file, asArray: false)
        case .json: JSONRowWriter(file: file, asArray: true)
        }
    }
}

/// CSV with LF line endings. Fields are quoted only when they must be (delimiter, quote, CR,
/// LF, or leading/trailing space); null is an empty field and an empty string is `""`, so the
/// two survive a round trip through a reader with type inference.
final class CSVWriter: RowWriter {
    private let file: OutputFile
    private let delimiter: UInt8
    private let header: Bool

    init(file: OutputFile, delimiter: UInt8, header: Bool) {
        self.file = file
        self.delimiter = delimiter
        self.header = header
    }

    func begin(columns: [String]) throws(FileFailure) {
        guard header else { return }
        try write(columns.map(ExpressionValue.string))
    }

    func write(_ values: [ExpressionValue]) throws(FileFailure) {
        for (index, value) in values.enumerated() {
            if index > 0 { file.append(delimiter) }
            switch value {
            case .null: break
            case .string(let text): writeText(text)
            default: file.append(value.text)
            }
        }
        file.append(0x0A)
        try file.flushIfNeeded()
    }

    func end() throws(FileFailure) {}

    private func writeText(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            if needsQuotes(bytes) {
                file.append(UInt8(ascii: "\""))
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { file.append(byte) }
                    file.append(byte)
                }
                file.append(UInt8(ascii: "\""))
            } else {
                file.append(bytes)
            }
        }
    }

    private func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return true }
        if first == 0x20 || last == 0x20 { return true }
        for byte in bytes where byte == delimiter || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            return true
        }
        return false
    }
}

/// JSON Lines (one object per line) or a single JSON array, streamed either way. Keys follow
/// the column order; non-finite numbers, which JSON cannot hold, are written as null.
final class JSONRowWriter: RowWriter {
    private let file: OutputFile
    private let asArray: Bool
    private var keyPrefixes: [[UInt8]] = []
    private var rowCount = 0

    init(file: OutputFile, asArray: Bool) {
        self.file = file
        self.asArray = asArray
    }

    func begin(columns: [String]) throws(FileFailure) {
        keyPrefixes = columns.enumerated().map { index, name in
            Array(((index == 0 ? "{" : ",") + JSONText.quoted(name) + ":").utf8)
        }
        if asArray { file.append("[") }
    }

    func write(_ values: [ExpressionValue]) throws(FileFailure) {
        if asArray { file.append(rowCount == 0 ? "\n" : ",\n") }
        rowCount += 1
        for (index, value) in values.enumerated() {
            keyPrefixes[index].withUnsafeBufferPointer { file.append($0) }
            switch value {
            case .null: file.append("null")
            case .bool(let flag): file.append(flag ? "true" : "false")
            case .integer(let whole): file.append(String(whole))
            case .number(let number): file.append(number.isFinite ? String(number) : "null")
            case .string(let text): file.append(JSONText.quoted(text))
            }
        }
        file.append(values.isEmpty ? "{}" : "}")
        if !asArray { file.append(0x0A) }
        try file.flushIfNeeded()
    }

    func end() throws(FileFailure) {
        if asArray { file.append(rowCount == 0 ? "]\n" : "\n]\n") }
    }
}

enum JSONText {
    /// A JSON string literal for `text`.
    static func quoted(_ text: String) -> String {
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        guard needsEscape else { return "\"" + text + "\"" }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
