import MimirCore
import MimirTwin
import Testing

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test("parses offsets and fractions, formats one spelling, refuses what is not a time")
    func roundTrip() {
        #expect(TwinTimestamp.parse("1970-01-01T00:00:00Z") == 0)
        #expect(TwinTimestamp.parse("2024-02-29T23:59:59.9999+01:00") == 1_709_247_599_999)
        #expect(TwinTimestamp.format(1_709_247_599_999) == "2024-02-29T22:59:59.999Z")
        #expect(TwinTimestamp.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(TwinTimestamp.parse(.integer(1_714_521_600_000)) == 1_714_521_600_000)
        for bad in ["2023-02-29T00:00:00Z", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "soon"] {
            #expect(TwinTimestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
