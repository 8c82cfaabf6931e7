import MimirCore
import Testing

@Suite("Executor version ranges")
struct VersionRangeTests {
    func matches(_ range: String, _ versions: [String]) throws -> [Bool] {
        let parsed = try VersionRange(range)
        return try versions.map { try #require(SemanticVersion($0)) }.map(parsed.contains)
    }

    @Test func caret() throws {
        #expect(try matches("^1.2", ["1.1.9", "1.2.0", "1.9.9", "2.0.0"]) == [false, true, true, false])
        #expect(try matches("^0.3.1", ["0.3.0", "0.3.1", "0.3.9", "0.4.0"]) == [false, true, true, false])
        #expect(try matches("^0.0.3", ["0.0.3", "0.0.4"]) == [true, false])
    }

    @Test func tildeWildcardsExactAndComparisons() throws {
        #expect(try matches("~1.2", ["1.2.0", "1.2.7", "1.3.0"]) == [true, true, false])
        #expect(try matches("1.x", ["0.9.0", "1.0.0", "1.5.2", "2.0.0"]) == [false, true, true, false])
        #expect(try matches("1.2.3", ["1.2.2", "1.2.3", "1.2.4"]) == [false, true, false])
        #expect(try matches(">=1.2 <2", ["1.1.0", "1.2.0", "1.99.0", "2.0.0"]) == [false, true, true, false])
        #expect(try matches(">1.2.3", ["1.2.3", "1.2.4"]) == [false, true])
        #expect(try matches("<=2.1", ["2.1.9", "2.2.0"]) == [true, false])
        #expect(try matches("*", ["0.0.1", "9.9.9"]) == [true, true])
        #expect(try matches("^1.2", ["1.3.0-beta.1"]) == [false])
    }

    @Test(
        "bad ranges are refused with the forms listed", arguments: ["", "^", "1.2.3.4", "v1", ">=x", ">=2 <1", "^1.a"])
    func bad(text: String) {
        #expect(throws: VersionRange.ParseError.self) { _ = try VersionRange(text) }
    }

    @Test func numbersOrderLikeVersions() throws {
        let versions = try ["0.0.1", "0.1.0", "1.0.0", "1.0.1", "1.10.0", "12.0.0"].map {
            try #require(SemanticVersion($0))
        }
        let numbers = versions.map(VersionRange.number)
        #expect(numbers == numbers.sorted())
        #expect(Set(numbers).count == numbers.count)
    }
}
