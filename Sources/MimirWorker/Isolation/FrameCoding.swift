/// The fields of an executor message as bytes: integers little-endian, a text as its UTF-8 length
/// (4 bytes) then its bytes, an optional as a presence byte then the value. JSON values (a job's
/// parameters and document, a result) travel as their text, which is what the C ABI takes and
/// what Redis stores: a tree built from them would only be written out again.
///
/// A frame is its 4-byte big-endian body length, then the body: the message's kind (1 byte),
/// then its fields in the order `ExecutorMessage` writes them.
struct FrameBuilder {
    private(set) var bytes: [UInt8]

    init(kind: UInt8, capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        // The length, filled in by `frame()`.
        bytes.append(contentsOf: [0, 0, 0, 0, kind])
    }

    mutating func append(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: Double) {
        append(Int64(bitPattern: value.bitPattern))
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt32(truncatingIfNeeded: utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func append(_ text: String?) {
        guard let text else { return append(UInt8(0)) }
        append(UInt8(1))
        append(text)
    }

    mutating func append(_ value: Int64?) {
        guard let value else { return append(UInt8(0)) }
        append(UInt8(1))
        append(value)
    }

    /// The whole frame, its length written in.
    consuming func frame() -> [UInt8] {
        let length = UInt32(truncatingIfNeeded: bytes.count - 4)
        bytes[0] = UInt8(length >> 24)
        bytes[1] = UInt8((length >> 16) & 0xff)
        bytes[2] = UInt8((length >> 8) & 0xff)
        bytes[3] = UInt8(length & 0xff)
        return bytes
    }
}

/// Reads a frame body's fields in order. A body too short for what it should hold, or with bytes
/// left over, is a protocol error naming the message and field: the peer is not speaking this
/// protocol (or not this version of it).
struct FrameFields {
    private let body: UnsafeRawBufferPointer
    private var offset = 1
    /// The message being read, for errors.
    let message: String

    init(_ body: UnsafeRawBufferPointer, message: String) {
        self.body = body
        self.message = message
    }

    private mutating func take(_ count: Int, _ field: String) throws(FrameChannel.Failure) -> UnsafeRawBufferPointer {
        guard count >= 0, body.count - offset >= count else {
            throw FrameChannel.Failure(
                description: "\(message) message ends inside its \(field) (\(body.count) bytes, \(count) more needed "
                    + "at byte \(offset))")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: body[offset..<offset + count])
    }

    mutating func byte(_ field: String) throws(FrameChannel.Failure) -> UInt8 {
        try take(1, field)[0]
    }

    mutating func uint32(_ field: String) throws(FrameChannel.Failure) -> UInt32 {
        UInt32(littleEndian: try take(4, field).loadUnaligned(as: UInt32.self))
    }

    mutating func int64(_ field: String) throws(FrameChannel.Failure) -> Int64 {
        Int64(littleEndian: try take(8, field).loadUnaligned(as: Int64.self))
    }

    mutating func double(_ field: String) throws(FrameChannel.Failure) -> Double {
        Double(bitPattern: UInt64(bitPattern: try int64(field)))
    }

    mutating func text(_ field: String) throws(FrameChannel.Failure) -> String {
        let count = Int(try uint32(field))
        return String(decoding: try take(count, field), as: UTF8.self)
    }

    mutating func optionalText(_ field: String) throws(FrameChannel.Failure) -> String? {
        try flag(field) ? try text(field) : nil
    }

    mutating func optionalInt64(_ field: String) throws(FrameChannel.Failure) -> Int64? {
        try flag(field) ? try int64(field) : nil
    }

    /// A byte that must be 0 or 1.
    mutating func flag(_ field: String) throws(FrameChannel.Failure) -> Bool {
        switch try byte(field) {
        case 0: return false
        case 1: return true
        case let flag:
            throw FrameChannel.Failure(description: "\(message) message: \(field) is \(flag), not 0 or 1")
        }
    }

    /// Called after the last field: bytes left over mean the peer wrote a different message.
    func end() throws(FrameChannel.Failure) {
        guard offset == body.count else {
            throw FrameChannel.Failure(
                description: "\(message) message has \(body.count - offset) bytes after its last field")
        }
    }
}
