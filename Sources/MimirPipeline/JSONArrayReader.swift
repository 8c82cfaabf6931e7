import CJansson
import MimirExpressions

/// Reads a file holding one JSON array of objects. The array is parsed whole (bounded by
/// `max_bytes`); rows are still handed out one by one. "Lines" in error reports are the
/// elements' 1-based positions.
final class JSONArrayReader: RecordReader {
    private let root: UnsafeMutablePointer<json_t>
    private(set) var columns: [String]
    private let keys: [[CChar]]
    private var index = 0
    private let count: Int

    init(file: ChunkedFileReader, declared: [String]?, maxBytes: Int) throws(FileFailure) {
        let bytes = try file.readAll(limit: maxBytes)
        let parsed = bytes.withUnsafeBufferPointer { JanssonValues.parse($0) }
        switch parsed {
        case .failure(let failure): throw FileFailure.system(failure.message)
        case .success(let json):
            guard json.pointee.type == JSON_ARRAY else {
                let type = JanssonValues.typeName(json)
                json_decref(json)
                throw FileFailure.system("expected a JSON array of objects, got \(type)")
            }
            root = json
        }
        let array = root
        count = json_array_size(array)
        if let declared {
            columns = declared
        } else {
            let firstObject = (0..<count).lazy.compactMap { json_array_get(array, $0) }
                .first { $0.pointee.type == JSON_OBJECT }
            columns = firstObject.map(JanssonValues.keys) ?? []
        }
        keys = JanssonValues.cKeys(columns)
    }

    deinit {
        json_decref(root)
    }

    func next() throws(FileFailure) -> RecordOutcome {
        guard index < count else { return .end }
        index += 1
        guard let element = json_array_get(root, index - 1) else { return .end }
        guard element.pointee.type == JSON_OBJECT else {
            return .bad(line: index, message: "expected a JSON object, got \(JanssonValues.typeName(element))")
        }
        return .row(Row(values: JanssonValues.row(from: element, keys: keys), line: index))
    }
}
