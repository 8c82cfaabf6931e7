/// Splits CSV bytes into records per RFC 4180: quoted fields may hold delimiters, doubled
/// quotes and line breaks; records end with LF or CRLF; the last record may lack a newline.
/// Leniencies: a quote inside an unquoted field is kept literally, and text after a closing
/// quote is reported as a malformed record rather than guessed at.
final class CSVRecordParser {
    struct Field {
        /// Offsets into the reader's buffer, valid until the next call to `next()`.
        var start: Int
        var end: Int
        var quoted: Bool
        /// The field contains doubled quotes that must be collapsed.
        var hasEscapedQuotes: Bool
    }

    enum Outcome {
        case record
        /// The record was consumed but is malformed; the message says why.
        case malformed(String)
        case endOfFile
    }

    let reader: ChunkedFileReader
    let delimiter: UInt8
    private(set) var fields: [Field] = []
    /// Line on which the current record starts (1-based).
    private(set) var recordLine = 0
    private var nextLine = 1
    private var checkedByteOrderMark = false

    init(reader: ChunkedFileReader, delimiter: UInt8) {
        self.reader = reader
        self.delimiter = delimiter
        fields.reserveCapacity(32)
    }

    /// Parses the next non-blank record into `fields`.
    func next() throws(FileFailure) -> Outcome {
        while true {
            if reader.available == 0, !(try reader.fill()) { return .endOfFile }
            skipByteOrderMark()
            if let outcome = try parseRecord() {
                if case .record = outcome, fields.count == 1, fields[0].end == fields[0].start, !fields[0].quoted {
                    continue  // a blank line
                }
                return outcome
            }
        }
    }

    private func skipByteOrderMark() {
        guard !checkedByteOrderMark, reader.available >= 3 || reader.isAtEOF else { return }
        checkedByteOrderMark = true
        let bytes = reader.storage
        let at = reader.start
        if reader.available >= 3, bytes[at] == 0xEF, bytes[at + 1] == 0xBB, bytes[at + 2] == 0xBF {
            reader.start += 3
        }
    }

    /// Parses one record from the buffer, refilling (and restarting) when it runs out of bytes.
    private func parseRecord() throws(FileFailure) -> Outcome? {
        while true {
            switch scan(atEOF: reader.isAtEOF) {
            case .complete(let consumed, let lines, let problem):
                recordLine = nextLine
                nextLine += lines
                reader.start = consumed
                if let problem { return .malformed(problem) }
                return .record
            case .needMoreData:
                if !(try reader.fill()) && reader.available == 0 { return nil }
            }
        }
    }

    private enum ScanResult {
        case complete(consumed: Int, lines: Int, problem: String?)
        case needMoreData
    }

    /// The scanner proper. Works on raw pointers because it runs once per byte of input.
    private func scan(atEOF: Bool) -> ScanResult {
        let bytes = UnsafeBufferPointer(reader.storage)
        let end = reader.end
        let quote = UInt8(ascii: "\"")
        let newline: UInt8 = 0x0A
        let carriageReturn: UInt8 = 0x0D
        let delimiter = self.delimiter
        var index = reader.start
        var lines = 0
        var problem: String? = nil
        fields.removeAll(keepingCapacity: true)
        while true {
            var field = Field(start: index, end: index, quoted: false, hasEscapedQuotes: false)
            if index < end, bytes[index] == quote {
                field.quoted = true
                index += 1
                field.start = index
                while true {
                    guard index < end else {
                        if atEOF {
                            field.end = index
                            fields.append(field)
                            return .complete(consumed: index, lines: lines + 1, problem: "unterminated quoted field")
                        }
                        return .needMoreData
                    }
                    let byte = bytes[index]
                    if byte == quote {
                        if index + 1 < end {
                            if bytes[index + 1] == quote {
                                field.hasEscapedQuotes = true
                                index += 2
                                continue
                            }
                        } else if !atEOF {
                            return .needMoreData
                        }
                        field.end = index
                        index += 1
                        break
                    }
                    if byte == newline { lines += 1 }
                    index += 1
                }
                // After the closing quote only a delimiter or the end of the record may follow.
                if index < end, bytes[index] != delimiter, bytes[index] != newline,
                    !(bytes[index] == carriageReturn && (index + 1 >= end || bytes[index + 1] == newline))
                {
                    if problem == nil {
                        problem = "unexpected text after the closing quote of field \(fields.count + 1)"
                    }
                    while index < end, bytes[index] != delimiter, bytes[index] != newline { index += 1 }
                }
            } else {
                // A CR ends the field only as part of CRLF; a lone CR is data.
                while index < end {
                    let byte = bytes[index]
                    if byte == delimiter || byte == newline { break }
                    if byte == carriageReturn {
                        if index + 1 < end {
                            if bytes[index + 1] == newline { break }
                        } else if !atEOF {
                            return .needMoreData
                        } else {
                            break
                        }
                    }
                    index += 1
                }
                field.end = index
            }
            // At a terminator (or the end of the buffer).
            guard index < end else {
                if !atEOF { return .needMoreData }
                fields.append(field)
                return .complete(consumed: index, lines: lines + 1, problem: problem)
            }
            let byte = bytes[index]
            if byte == delimiter {
                fields.append(field)
                index += 1
                continue
            }
            // Here a CR is always the first half of CRLF, or the file's last byte.
            if byte == carriageReturn, index + 1 >= end, !atEOF { return .needMoreData }
            fields.append(field)
            let terminatorLength = byte == carriageReturn && index + 1 < end ? 2 : 1
            return .complete(consumed: index + terminatorLength, lines: lines + 1, problem: problem)
        }
    }
}
