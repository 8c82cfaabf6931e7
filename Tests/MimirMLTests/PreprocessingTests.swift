import MimirCore
import Testing

@testable import MimirML

@Suite struct PreprocessingTests {
    private let table: Table = {
        do {
            return try TestData.table(
                ["size", "color"], [["1", "red"], ["3", "blue"], ["", "red"], ["5", ""]])
        } catch { fatalError("fixture") }
    }()

    @Test func imputesStandardizesAndOneHotEncodes() throws {
        let preprocessor = try Preprocessor.fit(
            table: table, features: [("size", .numeric), ("color", .categorical)], rows: [0, 1, 2, 3],
            missingValues: .mean, standardize: true)
        #expect(preprocessor.encodedNames == ["size", "color=blue", "color=red"])
        let size = preprocessor.features[0]
        #expect(size.fill == 3)
        #expect(size.center == 3)
        #expect(abs(size.scale - (2.0).squareRoot()) < 1e-12)
        let x = try preprocessor.transform(table)
        #expect(x[2, 0] == 0)
        #expect([x[0, 1], x[0, 2]] == [0, 1])
        #expect([x[3, 1], x[3, 2]] == [0, 0])
    }

    @Test func medianAndUnknownCategories() throws {
        let preprocessor = try Preprocessor.fit(
            table: table, features: [("size", .numeric), ("color", .categorical)], rows: [0, 1, 3],
            missingValues: .median, standardize: false)
        #expect(preprocessor.features[0].fill == 3)
        let fresh = try TestData.table(["color", "size"], [["green", "2"]])
        let x = try preprocessor.transform(fresh)
        #expect(x.values == [2, 0, 0])
    }

    @Test func schemaChecksNameTheColumns() throws {
        let preprocessor = try Preprocessor.fit(
            table: table, features: [("size", .numeric), ("color", .categorical)], rows: [0, 1],
            missingValues: .mean, standardize: false)
        #expect(throws: MLError.schemaMismatch("missing feature columns \"size\", \"color\"")) {
            try preprocessor.transform(try TestData.table(["other"], [["1"]]))
        }
        #expect(
            throws: MLError.schemaMismatch(
                "column \"size\", row 2: \"big\" is not a number (the model was trained with this column as numeric)")
        ) {
            try preprocessor.transform(try TestData.table(["size", "color"], [["1", "red"], ["big", "red"]]))
        }
    }

    @Test func errorPolicyRefusesMissingCells() throws {
        let parameters: JSONValue = ["task": "regression", "target": "y", "missing_values": "error"]
        let data = try TestData.table(["x", "y"], [["1", "1"], ["2", "2"], ["", "3"], ["4", "4"], ["5", "5"]])
        #expect(
            throws: MLError.invalidData(
                "column \"x\", row 3: the value is missing and the missing-value policy is \"error\"")
        ) { try Trainer.train(parameters: parameters, table: data, modelID: "m") }
    }

    @Test func dropRowsLeavesThemOut() throws {
        let rows: [[Any]] = (0..<20).map { i in [i == 3 ? "" : "\(i)", "\(2 * i + 1)"] }
        let data = try TestData.table(["x", "y"], rows)
        let outcome = try Trainer.train(
            parameters: ["task": "regression", "target": "y", "missing_values": "drop_rows"], table: data, modelID: "m")
        #expect(outcome.model.training["usable_rows"] == 19)
        #expect(!(outcome.split.training + outcome.split.validation).contains(3))
    }
}
