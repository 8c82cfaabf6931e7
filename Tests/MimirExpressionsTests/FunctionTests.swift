import MimirExpressions
import Testing

@Suite struct FunctionTests {
    @Test func stringFunctions() throws {
        #expect(try evaluate("contains('pipeline', 'pel')") == .bool(true))
        #expect(try evaluate("contains('pipeline', 'xyz')") == .bool(false))
        #expect(try evaluate("starts_with('pipeline', 'pipe')") == .bool(true))
        #expect(try evaluate("ends_with('pipeline', 'line')") == .bool(true))
        #expect(try evaluate("ends_with('pipeline', 'pipe')") == .bool(false))
        #expect(try evaluate("lower('AbC') || upper('x')") == .string("abcX"))
        #expect(try evaluate("trim('  padded \t')") == .string("padded"))
        #expect(try evaluate("length('héllo')") == .integer(5))
        #expect(try evaluate("concat('a', null, 1, 2.5)") == .string("a12.5"))
        #expect(try evaluate("contains(null, 'x')") == .null)
        #expect(failure("upper(3)") == "upper() needs text, got integer 3 at column 1")
    }

    @Test func mathFunctions() throws {
        #expect(try evaluate("abs(-3)") == .integer(3))
        #expect(try evaluate("abs(-2.5)") == .number(2.5))
        #expect(try evaluate("round(2.5)") == .number(3))
        #expect(try evaluate("round(-2.5)") == .number(-3))
        #expect(try evaluate("round(3.14159, 2)") == .number(3.14))
        #expect(try evaluate("round(1250, -2)") == .integer(1300))
        #expect(try evaluate("floor(2.7) + ceil(2.1)") == .number(5))
        #expect(try evaluate("floor(4)") == .integer(4))
        #expect(try evaluate("sqrt(16)") == .number(4))
        #expect(try evaluate("min(3, 1.5, 2)") == .number(1.5))
        #expect(try evaluate("max(3, null, 7)") == .integer(7))
        #expect(try evaluate("max('a', 'b')") == .string("b"))
        #expect(try evaluate("min(null, null)") == .null)
        #expect(failure("sqrt(-1)") == "sqrt() of negative number -1 at column 1")
    }

    @Test func conditionalFunctionsAreLazy() throws {
        let columns = ["qty", "price"]
        #expect(try evaluate("if(qty = 0, null, price / qty)", columns: columns, row: [0, 5]) == .null)
        #expect(try evaluate("if(qty = 0, null, price / qty)", columns: columns, row: [2, 5]) == .number(2.5))
        #expect(try evaluate("if(null, 1, 2)") == .integer(2))
        #expect(try evaluate("coalesce(null, qty, 1 / 0)", columns: columns, row: [4, 0]) == .integer(4))
        #expect(try evaluate("coalesce(null, null)") == .null)
    }

    @Test func conversions() throws {
        #expect(try evaluate("to_number('42')") == .integer(42))
        #expect(try evaluate("to_number(' 4.5 ')") == .number(4.5))
        #expect(try evaluate("to_number('1e3')") == .number(1000))
        #expect(try evaluate("to_string(42) || to_string(true)") == .string("42true"))
        #expect(failure("to_number('abc')") == "to_number() cannot convert string 'abc' at column 1")
    }

    @Test func bindTimeErrors() {
        #expect(failure("pricee > 1", columns: ["price"]) == "unknown identifier \"pricee\" at column 1")
        #expect(failure("1 + nope(2)") == "unknown function nope() at column 5")
        #expect(failure("round(1, 2, 3)") == "round() takes 1 or 2 arguments, got 3 at column 1")
        #expect(failure("if(true)") == "if() takes 3 arguments, got 1 at column 1")
        #expect(failure("upper()") == "upper() takes 1 argument, got 0 at column 1")
    }
}
