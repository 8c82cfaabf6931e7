#if canImport(Glibc)
    import Glibc
#endif

/// Random (version 4) UUIDs as lower-case text.
///
/// Foundation's `UUID()` on Linux opens and reads `/dev/urandom` for every id (an `open`, a
/// `read` and a `close`); this makes one `getrandom` system call (through `getentropy`) for all
/// 16 bytes, which matters when every submitted job needs one. `SystemRandomNumberGenerator`
/// would make one per 8 bytes.
public enum RandomUUID {
    public static func make() -> String {
        var words: (UInt64, UInt64) = (0, 0)
        #if canImport(Glibc)
            let filled = withUnsafeMutableBytes(of: &words) { getentropy($0.baseAddress, $0.count) }
            if filled == 0 { return format(high: words.0, low: words.1) }
        #endif
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    /// With a given generator, so tests can fix the bytes.
    public static func make<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        format(high: generator.next(), low: generator.next())
    }

    private static func format(high: UInt64, low: UInt64) -> String {
        var high = high
        var low = low
        high = (high & ~0xF000) | 0x4000  // version 4: bits 12–15 of time_hi_and_version
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // variant 10xx (RFC 9562)
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        for word in [high, low] {
            for nibble in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                text[position] = digits[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)]
                position += 1
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
