import MimirCore

/// Instants as milliseconds since the Unix epoch, read from and written as RFC 3339 text.
///
/// Parsed by hand rather than with Foundation's formatters: those accept different spellings on
/// Linux and macOS, and the twin must read its own stored history the same way everywhere.
public enum TwinTimestamp {
    /// `2024-05-01T12:00:00Z`, with optional fractional seconds (milliseconds kept) and a `Z` or
    /// `±HH:MM` offset; a lower-case `t`/`z` or a space between date and time is accepted.
    public static func parse(_ text: String) -> Int64? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"), let month = scanner.number(digits: 2),
            scanner.skip("-"), let day = scanner.number(digits: 2),
            scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
            let hour = scanner.number(digits: 2), scanner.skip(":"), let minute = scanner.number(digits: 2),
            scanner.skip(":"), let second = scanner.number(digits: 2)
        else { return nil }
        var milliseconds: Int64 = 0
        if scanner.skip(".") {
            let fraction = scanner.digits()
            guard !fraction.isEmpty else { return nil }
            let padded = (fraction + [UInt8](repeating: UInt8(ascii: "0"), count: 3)).prefix(3)
            milliseconds = padded.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
        var offsetMinutes: Int64 = 0
        if scanner.skip("Z") || scanner.skip("z") {
            offsetMinutes = 0
        } else if let sign = scanner.sign(), let offsetHours = scanner.number(digits: 2), scanner.skip(":"),
            let offsetMinute = scanner.number(digits: 2), offsetHours < 24, offsetMinute < 60
        {
            offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
        } else {
            return nil
        }
        guard scanner.atEnd, (1...12).contains(month),
            (1...UTCTimestamp.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        let days = UTCTimestamp.epochDays(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000 + milliseconds
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC: one spelling per instant, so stored times compare as text.
    public static func format(_ milliseconds: Int64) -> String {
        UTCTimestamp.format(milliseconds: milliseconds)
    }

    /// An observation's time: RFC 3339 text, or a whole number of milliseconds since the epoch.
    public static func parse(_ value: JSONValue) -> Int64? {
        switch value {
        case .string(let text): parse(text)
        case .integer, .number: value.int64Value
        default: nil
        }
    }
}

/// Reads fixed-width digit fields and separators from ASCII bytes.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    mutating func number(digits count: Int) -> Int64? {
        guard index + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    mutating func digits() -> [UInt8] {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return Array(bytes[start..<index])
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
