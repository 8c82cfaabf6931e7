import MimirCore
import Testing

@Suite("RandomUUID")
struct RandomUUIDTests {
    /// Replays fixed words, so the layout can be checked digit by digit.
    struct FixedWords: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test func versionAndVariantBitsAreSetOverTheRandomBits() {
        var ones = FixedWords(words: [.max, .max])
        #expect(RandomUUID.make(using: &ones) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
        var zeros = FixedWords(words: [0, 0])
        #expect(RandomUUID.make(using: &zeros) == "00000000-0000-4000-8000-000000000000")
        var counting = FixedWords(words: [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210])
        #expect(RandomUUID.make(using: &counting) == "01234567-89ab-4def-bedc-ba9876543210")
    }

    @Test func systemIdentifiersAreWellFormedAndDistinct() {
        let made = (0..<10_000).map { _ in RandomUUID.make() }
        #expect(Set(made).count == made.count)
        let pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(made.allSatisfy { $0.wholeMatch(of: pattern) != nil })
    }
}
