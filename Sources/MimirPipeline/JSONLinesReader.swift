import CJansson
import MimirExpressions

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one JSON object per line. Without declared columns, the first valid object's keys
/// (in document order) are the schema; later records missing a key give null, extra keys are
/// ignored. Blank lines are skipped.
final class JSONLinesReader: RecordReader {
    private let file: ChunkedFileReader
    private(set) var columns: [String] = []
    private var keys: [[CChar]] = []
    private var line = 0
    private var pending: [RecordOutcome] = []

    init(file: ChunkedFileReader, declared: [String]?) throws(FileFailure) {
        self.file = file
        if let declared {
            columns = declared
            keys = JanssonValues.cKeys(declared)
            return
        }
        // Read ahead to the first object to learn the schema; anything before it is kept.
        while true {
            guard let (lineNumber, object) = try nextObject() else {
                pending.append(.end)
                return
            }
            switch object {
            case .success(let json):
                defer { json_decref(json) }
                columns = JanssonValues.keys(of: json)
                keys = JanssonValues.cKeys(columns)
                pending.append(.row(Row(values: JanssonValues.row(from: json, keys: keys), line: lineNumber)))
                return
            case .failure(let failure):
                pending.append(.bad(line: lineNumber, message: failure.message))
            }
        }
    }

    func next() throws(FileFailure) -> RecordOutcome {
        if !pending.isEmpty { return pending.removeFirst() }
        guard let (lineNumber, object) = try nextObject() else { return .end }
        switch object {
        case .success(let json):
            defer { json_decref(json) }
            return .row(Row(values: JanssonValues.row(from: json, keys: keys), line: lineNumber))
        case .failure(let failure):
            return .bad(line: lineNumber, message: failure.message)
        }
    }

    /// The next non-blank line parsed as an object (caller releases it), or nil at the end.
    private func nextObject() throws(FileFailure) -> (Int, Result<UnsafeMutablePointer<json_t>, JanssonFailure>)? {
        while let bytes = try nextLine() {
            line += 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            switch JanssonValues.parse(bytes) {
            case .success(let json):
                guard json.pointee.type == JSON_OBJECT else {
                    let type = JanssonValues.typeName(json)
                    json_decref(json)
                    return (line, .failure(JanssonFailure(message: "expected a JSON object, got \(type)")))
                }
                return (line, .success(json))
            case .failure(let failure):
                return (line, .failure(failure))
            }
        }
        return nil
    }

    /// The next line's bytes (without the newline), valid until the next call.
    private func nextLine() throws(FileFailure) -> UnsafeBufferPointer<UInt8>? {
        var searchFrom = file.start
        while true {
            let base = UnsafeBufferPointer(file.storage).baseAddress
            if let base, file.end > searchFrom,
                let found = memchr(base + searchFrom, 0x0A, file.end - searchFrom)
            {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let slice = UnsafeBufferPointer(start: base + file.start, count: newline - file.start)
                file.start = newline + 1
                return slice
            }
            let scanned = file.end - file.start
            if !(try file.fill()) {
                guard file.available > 0, let base = UnsafeBufferPointer(file.storage).baseAddress else { return nil }
                let slice = UnsafeBufferPointer(start: base + file.start, count: file.available)
                file.start = file.end
                return slice
            }
            searchFrom = file.start + scanned
        }
    }
}
