import CHiredis

/// A reply hiredis built but this client does not know (a type added by a later hiredis).
struct ReplyDecodingError: Error {
    let reason: String
}

extension RedisReply {
    /// Copies a hiredis reply tree into Swift values; the caller still frees `reply`.
    init(_ reply: UnsafePointer<redisReply>) throws(ReplyDecodingError) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(node.str, node.len))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(node.integer))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                guard let element = node.element?[index] else {
                    throw ReplyDecodingError(reason: "array element \(index) is missing")
                }
                elements.append(try RedisReply(element))
            }
            self = .array(elements)
        default:
            throw ReplyDecodingError(reason: "unknown reply type \(node.type)")
        }
    }

    private static func bytes(_ start: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }
}
