import MimirCore
import Testing

@testable import MimirML

@Suite struct TableTests {
    @Test func detectsNumericAndCategoricalColumns() throws {
        let table = try TestData.table(
            ["a", "b", "c"], [["1.5", "red", ""], ["2", "blue", "nan"], [" 3 ", "red", "4"]])
        #expect(try ColumnKind.detect(table.cells(of: "a") ?? [], column: "a") == .numeric)
        #expect(try ColumnKind.detect(table.cells(of: "b") ?? [], column: "b") == .categorical)
        #expect(try ColumnKind.detect(table.cells(of: "c") ?? [], column: "c") == .numeric)
        #expect(Cell(.string(" 3 ")) == .number(3))
        #expect(Cell(.string("")) == .missing)
        #expect(Cell(.null) == .missing)
        #expect(Cell(.integer(3)).categoryKey == Cell(.string("3")).categoryKey)
        #expect(Cell(.number(3.0)).categoryKey == "3")
    }

    @Test func aTypoInANumericColumnNamesTheCell() throws {
        var rows: [[Any]] = (0..<40).map { ["\($0)"] }
        rows[16] = ["abc"]
        let table = try TestData.table(["petal_length"], rows)
        do {
            _ = try ColumnKind.detect(table.cells(of: "petal_length") ?? [], column: "petal_length")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("column \"petal_length\", row 17: \"abc\" is not a number"))
        }
    }

    @Test func rowsOfTheWrongWidthAreRefused() throws {
        #expect(throws: MLError.self) { try Table(columns: ["a", "b"], rows: [["1", "2"], ["3"]]) }
        #expect(throws: MLError.self) { try Table(columns: ["a", "a"], rows: []) }
        do {
            _ = try Table(columns: ["a", "b"], rows: [["1", "2"], ["3"]])
        } catch {
            #expect(error.message == "row 2 has 1 cells but the header has 2 columns")
        }
    }

    @Test func objectsBecomeColumns() throws {
        let table = try Table(objects: [["x": 1, "y": "a"], ["x": 2]])
        #expect(table.columns == ["x", "y"])
        #expect(table[row: 1, column: 1] == .null)
    }

    @Test func seededGeneratorIsStable() {
        var random = SeededGenerator(seed: 42)
        let first = (0..<3).map { _ in random.next() }
        var again = SeededGenerator(seed: 42)
        #expect(first == (0..<3).map { _ in again.next() })
        var bounded = SeededGenerator(seed: 1)
        for _ in 0..<1_000 { #expect((0..<7).contains(bounded.nextIndex(below: 7))) }
        var streamZero = SeededGenerator(seed: 1, stream: 0)
        var streamOne = SeededGenerator(seed: 1, stream: 1)
        #expect(streamZero.next() != streamOne.next())
    }

    @Test func fingerprintIsSHA256() {
        var digest = SHA256()
        digest.update("abc".utf8)
        #expect(digest.finalize() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var long = SHA256()
        long.update(Array(repeating: UInt8(ascii: "a"), count: 1_000))
        #expect(long.finalize() == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
