import MimirRedis
import Testing

@Suite("Reply text")
struct RedisReplyTests {
    @Test("bulk strings that are valid UTF-8 read as text, byte for byte")
    func validText() {
        for text in ["", "queued", "größe ✓ 漢字 🚀", String(repeating: "é", count: 10_000)] {
            #expect(RedisReply.bulk(Array(text.utf8)).string == text)
        }
        #expect(RedisReply.status("OK").string == "OK")
    }

    @Test("bulk strings that are not UTF-8 are not text, rather than silently repaired")
    func invalidText() {
        let invalid: [[UInt8]] = [
            [0xFF],  // never valid
            [0x61, 0xC3],  // truncated two-byte sequence
            [0xED, 0xA0, 0x80],  // an encoded surrogate: three bytes repaired to one replacement character
            [0xEF, 0xBF, 0xBD, 0x80],  // a real replacement character, then a stray continuation byte
            [0xC0, 0xAF],  // overlong "/"
        ]
        for bytes in invalid {
            #expect(RedisReply.bulk(bytes).string == nil, "\(bytes)")
        }
        #expect(RedisReply.bulk([0xEF, 0xBF, 0xBD]).string == "\u{FFFD}")
        #expect(RedisReply.integer(1).string == nil)
    }
}
