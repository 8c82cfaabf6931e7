import MimirCore

/// Timestamps are normalised to ISO 8601 UTC text, `2024-03-05T14:07:00Z` (with `.mmm` when
/// there are milliseconds): one fixed-width form, so string order is time order and the value
/// round-trips through CSV and JSON unchanged.
enum Timestamp {
    /// Accepts `YYYY-MM-DD`, and `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` optionally followed by
    /// `Z` or an offset `±HH:MM`/`±HHMM`/`±HH` (no offset means UTC).
    static func normalize(_ text: String) -> String? {
        let bytes = Array(text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.digits(4), cursor.skip("-"), let month = cursor.digits(2), cursor.skip("-"),
            let day = cursor.digits(2), (1...12).contains(month), day >= 1,
            Int64(day) <= UTCTimestamp.daysIn(month: Int64(month), year: Int64(year))
        else { return nil }
        var seconds = 0
        var milliseconds = 0
        var offsetSeconds = 0
        if !cursor.atEnd {
            guard cursor.skip("T") || cursor.skip("t") || cursor.skip(" "), let hour = cursor.digits(2),
                cursor.skip(":"),
                let minute = cursor.digits(2), hour < 24, minute < 60
            else { return nil }
            seconds = hour * 3600 + minute * 60
            if cursor.skip(":") {
                guard let second = cursor.digits(2), second < 61 else { return nil }
                seconds += min(second, 59)
                if cursor.skip(".") || cursor.skip(",") {
                    guard let fraction = cursor.fraction() else { return nil }
                    milliseconds = fraction
                }
            }
            guard let offset = cursor.offset(), cursor.atEnd else { return nil }
            offsetSeconds = offset
        }
        let days = UTCTimestamp.epochDays(year: Int64(year), month: Int64(month), day: Int64(day))
        let epochMilliseconds = (Int64(days) * 86_400 + Int64(seconds - offsetSeconds)) * 1000 + Int64(milliseconds)
        return format(epochMilliseconds: epochMilliseconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z (fractions kept to the millisecond).
    static func fromEpoch(seconds: Double) -> String? {
        guard seconds.isFinite, abs(seconds) < 253_402_300_800 else { return nil }
        return format(epochMilliseconds: Int64((seconds * 1000).rounded()))
    }

    static func format(epochMilliseconds: Int64) -> String {
        UTCTimestamp.format(milliseconds: epochMilliseconds, fraction: .whenNonZero)
    }

    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let digit = bytes[index + offset] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            index += count
            return value
        }

        /// Fractional seconds as milliseconds (extra digits truncated).
        mutating func fraction() -> Int? {
            var milliseconds = 0
            var count = 0
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if count < 3 { milliseconds = milliseconds * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { milliseconds *= 10 }
            return milliseconds
        }

        /// The UTC offset in seconds; 0 when absent or `Z`.
        mutating func offset() -> Int? {
            if atEnd { return 0 }
            if skip("Z") || skip("z") { return 0 }
            let sign: Int
            if skip("+") {
                sign = 1
            } else if skip("-") {
                sign = -1
            } else {
                return nil
            }
            guard let hours = digits(2), hours <= 18 else { return nil }
            var minutes = 0
            if !atEnd {
                _ = skip(":")
                guard let parsed = digits(2), parsed < 60 else { return nil }
                minutes = parsed
            }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
