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
        var text =
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3_600, 2)):"
            + "\(pad(secondOfDay % 3_600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction == .always || millis != 0 { text += ".\(pad(millis, 3))" }
        return text + "Z"
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

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
