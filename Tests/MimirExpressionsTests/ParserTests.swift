import MimirExpressions
import Testing

@Suite struct ParserTests {
    @Test func literals() throws {
        #expect(try evaluate("42") == .integer(42))
        #expect(try evaluate("4.5") == .number(4.5))
        #expect(try evaluate("1e3") == .number(1000))
        #expect(try evaluate("2.5E-1") == .number(0.25))
        #expect(try evaluate("'it\\'s'") == .string("it's"))
        #expect(try evaluate("\"tab\\there\"") == .string("tab\there"))
        #expect(try evaluate("TRUE") == .bool(true))
        #expect(try evaluate("false") == .bool(false))
        #expect(try evaluate("Null") == .null)
        #expect(try evaluate("-7") == .integer(-7))
    }

    @Test func precedence() throws {
        #expect(try evaluate("1 + 2 * 3") == .integer(7))
        #expect(try evaluate("(1 + 2) * 3") == .integer(9))
        #expect(try evaluate("10 - 4 - 3") == .integer(3))
        #expect(try evaluate("not 1 > 2 and 2 > 1") == .bool(true))
        #expect(try evaluate("true or false and false") == .bool(true))
        #expect(try evaluate("'a' || 1 + 2") == .string("a3"))
        #expect(try evaluate("- (2 + 3)") == .integer(-5))
    }

    @Test func identifiersIncludingDottedAndBackquoted() throws {
        let expression = try Expression.parse("children.temperature > 3 and `odd name` = x and x > 0")
        #expect(expression.identifiers == ["children.temperature", "odd name", "x"])
        let columns = ["children.temperature", "odd name", "x"]
        #expect(try evaluate("`odd name` || '!'", columns: columns, row: [1, "hi", 2]) == .string("hi!"))
        #expect(try Expression.parse("upper(a) || Lower(b)").functionNames == ["upper", "lower"])
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try evaluate("x IS NOT NULL AND x In (1, 2) Or NOT true", columns: ["x"], row: [2]) == .bool(true))
    }

    @Test func syntaxErrorsCarryColumns() {
        #expect(failure("price * (qty + 1))") == "unexpected ')' at column 18")
        #expect(failure("a +") == "unexpected end of expression at column 4")
        #expect(failure("'open") == "unterminated string starting at column 1")
        #expect(failure("a $ b") == "unexpected character '$' at column 3")
        #expect(failure("(a + b") == "expected ')' to close '(' from column 1, found end of expression at column 7")
        #expect(failure("x is 3") == "expected 'null' after 'is', found 3 at column 6")
        #expect(failure("12abc") == "malformed number at column 1")
        #expect(failure("f(1,") == "unexpected end of expression at column 5")
        #expect(failure("é = 1 and )") == "unexpected ')' at column 11")
    }
}
