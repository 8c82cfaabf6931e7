/// Instants as milliseconds since the Unix epoch and their RFC 3339 UTC spelling
/// (`2026-11-29T13:54:37.376Z`), with the proleptic Gregorian calendar arithmetic behind both:
/// the one place the API, the pipelines and the twins turn dates into numbers and back.
/// By hand rather than through Foundation's formatters, whose spellings differ between platforms.
public enum UTCTimestamp {
    public enum Fraction: Sendable {
        /// Always `.mmm`: one fixed width, so stored times compare as text (the API, twins).
        case always
        /// `.mmm` only when not zero (pipeline values: `2024-03-05T14:07:00Z`).
        case whenNonZero
    }

    public static func format(milliseconds: Int64, fraction: Fraction = .always) -> String {
        let totalSeconds = floorDivide(milliseconds, 1_000)
        let millis = milliseconds - totalSeconds * 1_000
        let days = floorDivide(totalSeconds, 86_400)
        let secondOfDay = totalSeconds - days * 86_400
        let (year, month, day) = civil(fromEpochDays: days)
        // Written as bytes: interpolating padded strings cost a microsecond per timestamp, and
        // every job the API shows has several.
        var text: [UInt8] = []
        text.reserveCapacity(24)
        appendPadded(year, 4, to: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(month, 2, to: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(day, 2, to: &text)
        text.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3_600, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 3_600 / 60, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, 2, to: &text)
        if fraction == .always || millis != 0 {
            text.append(UInt8(ascii: "."))
            appendPadded(millis, 3, to: &text)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public static func epochDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year, month and day of a day since 1970-01-01 (civil_from_days).
    public static func civil(fromEpochDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// The decimal digits of `value`, zero-filled on the left to at least `width` characters.
    private static func appendPadded(_ value: Int64, _ width: Int, to text: inout [UInt8]) {
        guard value >= 0 else {
            let digits = String(value).utf8
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - digits.count)))
            text.append(contentsOf: digits)
            return
        }
        var divisor: Int64 = 1
        var count = 1
        while count < width || value / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
