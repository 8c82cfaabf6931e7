/// Splits expression text into tokens. Works on UTF-8 bytes: every syntactic character is
/// ASCII, and bytes above 0x7F are accepted inside identifiers so non-English column names work.
struct Lexer {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func tokenize() throws(LexerFailure) -> [Token] {
        var tokens: [Token] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                tokens.append(Token(kind: .end, offset: index))
                return tokens
            }
            tokens.append(try nextToken())
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A
                || bytes[index] == 0x0D
        {
            index += 1
        }
    }

    private mutating func nextToken() throws(LexerFailure) -> Token {
        let start = index
        let byte = bytes[index]
        if Self.isDigit(byte)
            || (byte == UInt8(ascii: ".") && index + 1 < bytes.count && Self.isDigit(bytes[index + 1]))
        {
            return try number(start: start)
        }
        if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            return Token(kind: .string(try quoted(start: start, closing: byte)), offset: start)
        }
        if byte == UInt8(ascii: "`") {
            let name = try quoted(start: start, closing: byte)
            return Token(kind: .identifier(name, quoted: true), offset: start)
        }
        if Self.isIdentifierStart(byte) {
            return identifier(start: start)
        }
        return try symbol(start: start)
    }

    private mutating func number(start: Int) throws(LexerFailure) -> Token {
        var isDecimal = false
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isDecimal = true
            index += 1
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var lookahead = index + 1
            if lookahead < bytes.count, bytes[lookahead] == UInt8(ascii: "+") || bytes[lookahead] == UInt8(ascii: "-") {
                lookahead += 1
            }
            if lookahead < bytes.count, Self.isDigit(bytes[lookahead]) {
                isDecimal = true
                index = lookahead
                while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            }
        }
        if index < bytes.count, Self.isIdentifierStart(bytes[index]) {
            throw LexerFailure(message: "malformed number", offset: start)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isDecimal, let value = Int64(text) {
            return Token(kind: .integer(value), offset: start)
        }
        guard let value = Double(text), value.isFinite else {
            throw LexerFailure(message: "number \(text) is out of range", offset: start)
        }
        return Token(kind: .number(value), offset: start)
    }

    /// Reads a quoted string or backquoted identifier; a backslash escapes the next character
    /// (`\n`, `\t`, `\r`, `\0` are control characters, anything else stands for itself).
    private mutating func quoted(start: Int, closing: UInt8) throws(LexerFailure) -> String {
        index += 1
        var content: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == closing {
                index += 1
                return String(decoding: content, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { break }
                content.append(Self.unescape(bytes[index + 1]))
                index += 2
                continue
            }
            content.append(byte)
            index += 1
        }
        let what = closing == UInt8(ascii: "`") ? "quoted identifier" : "string"
        throw LexerFailure(message: "unterminated \(what) starting", offset: start)
    }

    private mutating func identifier(start: Int) -> Token {
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isIdentifierStart(byte) || Self.isDigit(byte) {
                index += 1
            } else if byte == UInt8(ascii: "."), index + 1 < bytes.count,
                Self.isIdentifierStart(bytes[index + 1]) || Self.isDigit(bytes[index + 1])
            {
                index += 1
            } else {
                break
            }
        }
        return Token(
            kind: .identifier(String(decoding: bytes[start..<index], as: UTF8.self), quoted: false), offset: start)
    }

    private mutating func symbol(start: Int) throws(LexerFailure) -> Token {
        let byte = bytes[index]
        let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
        let twoCharacter: String? =
            switch (byte, next) {
            case (UInt8(ascii: "="), UInt8(ascii: "=")): "=="
            case (UInt8(ascii: "!"), UInt8(ascii: "=")): "!="
            case (UInt8(ascii: "<"), UInt8(ascii: ">")): "<>"
            case (UInt8(ascii: "<"), UInt8(ascii: "=")): "<="
            case (UInt8(ascii: ">"), UInt8(ascii: "=")): ">="
            case (UInt8(ascii: "|"), UInt8(ascii: "|")): "||"
            default: nil
            }
        if let twoCharacter {
            index += 2
            return Token(kind: .symbol(twoCharacter), offset: start)
        }
        let single = "()+-*/%=<>,"
        if byte < 0x80, let scalar = Unicode.Scalar(UInt32(byte)), single.unicodeScalars.contains(scalar) {
            index += 1
            return Token(kind: .symbol(String(Character(scalar))), offset: start)
        }
        // Bytes above 0x7F start identifiers, so anything left here is a single ASCII character.
        throw LexerFailure(message: "unexpected character '\(Character(Unicode.Scalar(byte)))'", offset: start)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func unescape(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "0"): 0x00
        default: byte
        }
    }
}

/// A lexer error located by byte offset; the parser converts it to a character column.
struct LexerFailure: Error {
    let message: String
    let offset: Int
}
