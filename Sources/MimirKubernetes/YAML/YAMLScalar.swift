import MimirCore

/// Values written on one line: scalars and one-line flow collections.
enum YAMLScalar {
    static func inline(_ text: Substring, line: Int) throws(YAMLSubsetError) -> JSONValue {
        var reader = FlowReader(text: text, line: line)
        let value = try reader.value(topLevel: true)
        reader.skipSpaces()
        guard reader.isAtEnd else {
            throw YAMLSubsetError(line: line, message: "unexpected text after the value: \(String(reader.rest))")
        }
        return value
    }

    /// A quoted scalar at the start of `text` and the index just past its closing quote.
    static func quoted(_ text: Substring, line: Int) throws(YAMLSubsetError) -> (String, Substring.Index) {
        guard let quote = text.first else { throw YAMLSubsetError(line: line, message: "expected a quote") }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if character == quote {
                // '' inside single quotes is one quote.
                if quote == "'", index < text.endIndex, text[index] == "'" {
                    result.append("'")
                    index = text.index(after: index)
                    continue
                }
                return (result, index)
            }
            if quote == "\"", character == "\\" {
                guard index < text.endIndex else { break }
                let (unescaped, next) = try escape(in: text, at: index, line: line)
                result.append(unescaped)
                index = next
                continue
            }
            result.append(character)
        }
        throw YAMLSubsetError(
            line: line,
            message: "unterminated \(quote == "'" ? "single" : "double")-quoted string "
                + "(quoted strings must end on the line they start)")
    }

    private static func escape(in text: Substring, at index: Substring.Index, line: Int) throws(YAMLSubsetError)
        -> (String, Substring.Index)
    {
        let next = text.index(after: index)
        switch text[index] {
        case "n": return ("\n", next)
        case "t": return ("\t", next)
        case "r": return ("\r", next)
        case "0": return ("\0", next)
        case "\"", "\\", "/", " ": return (String(text[index]), next)
        case "x", "u", "U":
            let width = text[index] == "x" ? 2 : text[index] == "u" ? 4 : 8
            let digits = text[next...].prefix(width)
            guard digits.count == width, let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else {
                throw YAMLSubsetError(line: line, message: "invalid \\\(text[index]) escape")
            }
            return (String(Character(scalar)), text.index(next, offsetBy: width))
        default:
            throw YAMLSubsetError(line: line, message: "unsupported escape \\\(text[index])")
        }
    }

    /// A plain scalar's value: null, booleans and integers as YAML 1.2's core schema reads them,
    /// everything else a string.
    static func plain(_ text: Substring) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text
        if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let value = Int64(text.first == "+" ? digits : text)
        {
            return .integer(value)
        }
        return .string(String(text))
    }
}
