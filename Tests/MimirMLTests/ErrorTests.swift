import MimirCore
import Testing

@testable import MimirML

@Suite struct ErrorTests {
    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as MLError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func missingTargetColumn() throws {
        let iris = try TestData.csv("iris")
        let text = message {
            _ = try Trainer.train(parameters: ["task": "classification", "target": "kind"], table: iris, modelID: "m")
        }
        #expect(text.hasPrefix("target column \"kind\" is missing"))
    }

    @Test func nonNumericRegressionTargetNamesRow() throws {
        var rows: [[Any]] = (0..<10).map { ["\($0)", "\($0 * 2)"] }
        rows[6][1] = "abc"
        let table = try TestData.table(["x", "progression"], rows)
        let text = message {
            _ = try Trainer.train(
                parameters: ["task": "regression", "target": "progression"], table: table, modelID: "m")
        }
        #expect(text == "column \"progression\", row 7: \"abc\" is not a number (a regression target must be numeric)")
    }

    @Test func singleClass() throws {
        let table = try TestData.table(["x", "species"], (0..<10).map { ["\($0)", "setosa"] })
        let text = message {
            _ = try Trainer.train(
                parameters: ["task": "classification", "target": "species"], table: table, modelID: "m")
        }
        #expect(
            text == "only one class (\"setosa\") in the target column \"species\": classification needs at least two")
    }

    @Test func tooFewRows() throws {
        let table = try TestData.table(["x", "y"], [["1", "2"], ["2", "4"], ["3", "6"]])
        let text = message {
            _ = try Trainer.train(parameters: ["task": "regression", "target": "y"], table: table, modelID: "m")
        }
        #expect(text == "too few rows: 3 usable (need at least 4 to train and validate)")
    }

    @Test func missingTargetValueNamesRow() throws {
        let table = try TestData.table(["x", "y"], (0..<10).map { ["\($0)", $0 == 4 ? "" : "a\($0 % 2)"] })
        let text = message {
            _ = try Trainer.train(parameters: ["task": "classification", "target": "y"], table: table, modelID: "m")
        }
        #expect(text == "column \"y\", row 5: the target is missing")
    }

    @Test func parameterMistakes() throws {
        let iris = try TestData.csv("iris")
        let cases: [(JSONValue, String)] = [
            (["target": "species"], "parameters.task is required"),
            (
                ["task": "classification", "target": "species", "hyperparameters": ["c": 1]],
                "unknown option hyperparameters.c"
            ),
            (
                ["task": "regression", "target": "petal_width", "algorithm": "kmeans"],
                "algorithm \"kmeans\" cannot do regression"
            ),
            (["task": "classification"], "parameters.target is required"),
            (
                ["task": "classification", "target": "species", "features": ["petal"]],
                "feature column \"petal\" is missing"
            ),
            (
                ["task": "classification", "target": "species", "validation_fraction": 1.5],
                "parameters.validation_fraction must be below 1"
            ),
        ]
        for (parameters, expected) in cases {
            let text = message { _ = try Trainer.train(parameters: parameters, table: iris, modelID: "m") }
            #expect(text.hasPrefix(expected), "\(parameters.jsonText()) gave \(text)")
        }
        #expect(
            message { _ = try Trainer.train(parameters: ["task": "clustering"], table: iris, modelID: "../x") }
                .hasPrefix("model id \"../x\""))
    }
}
