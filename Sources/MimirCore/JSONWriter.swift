extension JSONValue {
    /// JSON text (RFC 8259) with sorted object keys, so equal values always serialise
    /// identically. Non-finite numbers, which JSON cannot hold, are written as `null`. Written
    /// directly rather than through `JSONEncoder`, which costs microseconds per call in setup
    /// alone: this runs several times for every job.
    public func jsonText(pretty: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty), as: UTF8.self)
    }

    /// ``jsonText(pretty:)`` as UTF-8 bytes, for a response body or a socket: no `String` between.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, depth: 0)
        return writer.output
    }
}

extension JSONValue {
    /// The text of an object whose members come already in key order — the bytes
    /// `JSONValue.object(members).jsonBytes()` writes, without building a dictionary and sorting
    /// it. For objects made field by field on every request (a job as the API shows it).
    public static func objectBytes(sortedMembers members: [(key: String, value: JSONValue)]) -> [UInt8] {
        assert(zip(members, members.dropFirst()).allSatisfy { $0.key < $1.key }, "members not in key order")
        var writer = JSONWriter(pretty: false)
        writer.writeObject(members, depth: 0)
        return writer.output
    }
}

private struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let number): output.append(contentsOf: String(number).utf8)
        case .number(let number):
            if number.isFinite { output.append(contentsOf: number.description.utf8) } else { append("null") }
        case .string(let text): writeString(text)
        case .array(let elements):
            guard !elements.isEmpty else {
                append("[]")
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            writeObject(members.sorted(by: { $0.key < $1.key }), depth: depth)
        }
    }

    mutating func writeObject(_ members: [(key: String, value: JSONValue)], depth: Int) {
        guard !members.isEmpty else {
            append("{}")
            return
        }
        output.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newline(depth + 1)
            writeString(member.key)
            append(pretty ? ": " : ":")
            write(member.value, depth: depth + 1)
        }
        newline(depth)
        output.append(UInt8(ascii: "}"))
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                escape(byte)
                plainStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let digits = Array("0123456789abcdef".utf8)
            append("\\u00")
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0xF)])
        }
    }
}
