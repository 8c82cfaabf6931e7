import MimirExpressions
import Testing

@Suite struct SemanticsTests {
    @Test func integerArithmeticStaysExactAndMixedBecomesNumber() throws {
        #expect(try evaluate("7 * 6") == .integer(42))
        #expect(try evaluate("7 % 3") == .integer(1))
        #expect(try evaluate("7 / 2") == .number(3.5))
        #expect(try evaluate("1 + 0.5") == .number(1.5))
        #expect(try evaluate("7.5 % 2") == .number(1.5))
    }

    @Test func overflowAndDivisionByZeroAreErrors() {
        #expect(failure("9223372036854775807 + 1") == "integer overflow in 9223372036854775807 + 1 at column 21")
        #expect(failure("x / 0", columns: ["x"], row: [1]) == "division by zero at column 3")
        #expect(failure("x % 0", columns: ["x"], row: [1]) == "division by zero at column 3")
    }

    @Test func nullPropagates() throws {
        let columns = ["x"]
        #expect(try evaluate("x + 1", columns: columns, row: [nil]) == .null)
        #expect(try evaluate("x > 1", columns: columns, row: [nil]) == .null)
        #expect(try evaluate("x || 'a'", columns: columns, row: [nil]) == .null)
        #expect(try evaluate("x is null", columns: columns, row: [nil]) == .bool(true))
        #expect(try evaluate("x is not null", columns: columns, row: [nil]) == .bool(false))
    }

    @Test func threeValuedLogic() throws {
        let columns = ["u"]
        let unknown: [ExpressionValue] = [nil]
        #expect(try evaluate("u > 1 and false", columns: columns, row: unknown) == .bool(false))
        #expect(try evaluate("u > 1 and true", columns: columns, row: unknown) == .null)
        #expect(try evaluate("u > 1 or true", columns: columns, row: unknown) == .bool(true))
        #expect(try evaluate("u > 1 or false", columns: columns, row: unknown) == .null)
        #expect(try evaluate("not (u > 1)", columns: columns, row: unknown) == .null)
        #expect(try evaluate("false and u / 0 > 1", columns: columns, row: [1]) == .bool(false))
    }

    @Test func comparisons() throws {
        #expect(try evaluate("2 = 2.0") == .bool(true))
        #expect(try evaluate("2 == 3") == .bool(false))
        #expect(try evaluate("2 <> 3") == .bool(true))
        #expect(try evaluate("2 != 2") == .bool(false))
        #expect(try evaluate("'abc' < 'abd'") == .bool(true))
        #expect(try evaluate("3 >= 3 and 3 <= 3 and 4 > 3.5") == .bool(true))
        #expect(try evaluate("true > false") == .bool(true))
    }

    @Test func incompatibleComparisonNamesBothTypes() {
        #expect(
            failure("region > 3", columns: ["region"], row: ["EU"])
                == "cannot compare string 'EU' with integer 3 at column 8")
        #expect(failure("'a' + 1")?.contains("use || to join text") == true)
        #expect(failure("1 and true") == "'and' needs boolean operands, got integer 1 at column 3")
    }

    @Test func inLists() throws {
        let columns = ["x"]
        #expect(try evaluate("x in (1, 2, 3)", columns: columns, row: [2]) == .bool(true))
        #expect(try evaluate("x in (1, 3)", columns: columns, row: [2]) == .bool(false))
        #expect(try evaluate("x not in (1, 3)", columns: columns, row: [2]) == .bool(true))
        #expect(try evaluate("x in (1, null)", columns: columns, row: [2]) == .null)
        #expect(try evaluate("x in (1, 2)", columns: columns, row: [nil]) == .null)
        #expect(try evaluate("x in ('EU', 'US')", columns: columns, row: ["US"]) == .bool(true))
    }

    @Test func filterConditionSemantics() throws {
        let condition = try Expression.parse("x > 1").bind(columns: ["x"])
        #expect(try condition.isSatisfied(by: [2]))
        #expect(try !condition.isSatisfied(by: [1]))
        #expect(try !condition.isSatisfied(by: [nil]))
        let notBoolean = try Expression.parse("x + 1").bind(columns: ["x"])
        #expect(throws: ExpressionError.self) { try notBoolean.isSatisfied(by: [1]) }
    }

    @Test func constantsFoldAtBindTime() throws {
        #expect(try Expression.parse("1 + 2 * 3").bind(columns: []).constantValue == .integer(7))
        #expect(try Expression.parse("upper('a') || 'b'").bind(columns: []).constantValue == .string("Ab"))
        #expect(try Expression.parse("x + 1").bind(columns: ["x"]).constantValue == nil)
        // A constant that fails is left to fail at evaluation, so guarded branches still work.
        #expect(try evaluate("if(false, 1 / 0, 2)") == .integer(2))
    }
}
