import MimirCore
import Testing

@Suite("UTC timestamps")
struct UTCTimestampTests {
    @Test("formats with milliseconds, before 1970 too, and without them when asked")
    func formatting() {
        #expect(UTCTimestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(milliseconds: 1_764_424_477_376) == "2025-11-29T13:54:37.376Z")
        #expect(UTCTimestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(UTCTimestamp.format(milliseconds: 951_782_400_000, fraction: .whenNonZero) == "2000-02-29T00:00:00Z")
        #expect(
            UTCTimestamp.format(milliseconds: 951_782_400_005, fraction: .whenNonZero) == "2000-02-29T00:00:00.005Z")
        let day: Int64 = 86_400_000
        #expect(
            UTCTimestamp.format(milliseconds: UTCTimestamp.epochDays(year: 5, month: 3, day: 9) * day + 3_723_040)
                == "0005-03-09T01:02:03.040Z")
        #expect(
            UTCTimestamp.format(
                milliseconds: UTCTimestamp.epochDays(year: 10_000, month: 12, day: 31) * day + 86_399_999)
                == "10000-12-31T23:59:59.999Z")
    }

    @Test("days and dates round-trip across leap years and centuries")
    func calendar() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = UTCTimestamp.civil(fromEpochDays: days)
            #expect(UTCTimestamp.epochDays(year: date.year, month: date.month, day: date.day) == days)
            #expect((1...UTCTimestamp.daysIn(month: date.month, year: date.year)).contains(date.day))
        }
        #expect(UTCTimestamp.daysIn(month: 2, year: 1900) == 28 && UTCTimestamp.daysIn(month: 2, year: 2000) == 29)
    }
}
