import NIOCore

extension CommandArguments {
    /// Appends the command as a RESP array of bulk strings, the form `redisAppendCommandArgv` sends.
    func writeRESP(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        Self.writeDecimal(offsets.count, into: &buffer)
        storage.withUnsafeBytes { bytes in
            for (offset, length) in zip(offsets, lengths) {
                buffer.writeInteger(UInt8(ascii: "$"))
                Self.writeDecimal(length, into: &buffer)
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
                buffer.writeStaticString("\r\n")
            }
        }
    }

    /// What ``writeRESP(into:)`` will write, so a batch is allocated once.
    var respByteCount: Int {
        lengths.reduce(16) { $0 + $1 + 16 }
    }

    /// `n\r\n`; a decimal that short is a small string, stored inline, so nothing is allocated.
    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(value))
        buffer.writeStaticString("\r\n")
    }
}
