import CHiredis
import NIOCore

/// hiredis' RESP2 parser, fed with whatever bytes arrive and asked for each complete reply.
///
/// Not `Sendable`: it lives on its connection's event loop. The parser is hiredis' own (the one
/// ``RedisConnection`` uses), so both paths read replies the same way.
final class ReplyReader {
    struct Failure: Error {
        let reason: String
    }

    private let reader: UnsafeMutablePointer<redisReader>

    init() throws(Failure) {
        guard let reader = redisReaderCreate() else { throw Failure(reason: "out of memory in hiredis") }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    func feed(_ buffer: ByteBuffer) throws(Failure) {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if status != REDIS_OK { throw failure() }
    }

    /// The next complete reply, or `nil` until more bytes arrive.
    func next() throws(Failure) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw failure() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        do throws(ReplyDecodingError) {
            return try RedisReply(raw.assumingMemoryBound(to: redisReply.self))
        } catch {
            throw Failure(reason: error.reason)
        }
    }

    private func failure() -> Failure {
        let text = String(cString: mimir_redis_reader_errstr(reader))
        return Failure(reason: text.isEmpty ? "protocol error" : "protocol error: \(text)")
    }
}
