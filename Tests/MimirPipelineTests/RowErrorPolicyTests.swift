import MimirPipeline
import Testing

@Suite struct RowErrorPolicyTests {
    static let data = "id,a,b\n1,10,2\n2,5,0\n3,x,1\n4,8\n5,9,3\n"
    static let steps = """
        {"kind": "source", "dataset": "in.csv"},
        {"kind": "derive", "columns": {"ratio": "a / b"}},
        {"kind": "sink", "dataset": "out.csv"}
        """

    @Test func failStopsAtTheFirstBadRowWithStepAndLine() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", Self.data)
        #expect {
            _ = try workspace.run(#"{"steps": [\#(Self.steps)]}"#)
        } throws: { error in
            guard case .badRow(let row) = error as? PipelineError else { return false }
            return row.step == 1 && row.line == 3 && row.message == "column \"ratio\": division by zero at column 3"
        }
        #expect(!workspace.exists("out.csv"))
    }

    @Test func skipCountsPerStepAndRecordsTheFirstFew() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", Self.data)
        let result = try workspace.run(#"{"row_error_policy": "skip", "steps": [\#(Self.steps)]}"#)
        #expect(result.rowsSkipped == 3)
        #expect(
            result.badRows.map(\.description) == [
                "step 1, line 3: column \"ratio\": division by zero at column 3",
                "step 1, line 4: column \"ratio\": cannot apply '/' to string 'x' and integer 1 at column 3",
                "step 0, line 5: expected 3 fields, found 2",
            ])
        #expect(result.steps[0].rowsIn == 5)
        #expect(result.steps[0].rowsSkipped == 1)
        #expect(result.steps[1].rowsSkipped == 2)
        #expect(try workspace.csvLines("out.csv") == ["id,a,b,ratio", "1,10,2,5.0", "5,9,3,3.0"])
        let json = result.json
        #expect(
            json["bad_rows"]?.arrayValue?.first == [
                "step": 1, "line": 3, "message": "column \"ratio\": division by zero at column 3",
            ])
    }

    @Test func recordedBadRowsAreCapped() throws {
        let workspace = try Workspace()
        var text = "n\n"
        for index in 0..<50 { text += index % 2 == 0 ? "\(index)\n" : "bad\(index)\n" }
        try workspace.write("in.csv", text)
        let result = try workspace.run(
            """
            {"row_error_policy": "skip", "max_bad_rows": 4, "steps": [{"kind": "source", "dataset": "in.csv"},
              {"kind": "filter", "where": "n >= 0"}, {"kind": "sink", "dataset": "out.csv"}]}
            """)
        #expect(result.rowsSkipped == 25)
        #expect(result.badRows.count == 4)
        #expect(result.badRows.map(\.line) == [3, 5, 7, 9])
        #expect(result.outputs[0].rows == 25)
    }

    @Test func badJSONLinesFollowThePolicy() throws {
        let workspace = try Workspace()
        try workspace.write("in.jsonl", "{\"a\": 1, \"b\": [1, 2]}\n\n{\"a\": oops}\n[1]\n{\"b\": {\"c\": true}}\n")
        let result = try workspace.run(
            #"{"row_error_policy": "skip", "steps": [{"kind": "source", "dataset": "in.jsonl"}, {"kind": "sink", "dataset": "out.csv"}]}"#
        )
        #expect(result.badRows.map(\.line) == [3, 4])
        #expect(result.badRows[1].message == "expected a JSON object, got array")
        #expect(result.badRows[0].message.hasPrefix("invalid JSON"))
        #expect(try workspace.read("out.csv") == "a,b\n1,\"[1,2]\"\n,\"{\"\"c\"\":true}\"\n")
    }

    @Test func headerMissingAColumnFailsBeforeAnyRowOrOutput() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "id,price,qty\n1,2,3\n")
        #expect {
            _ = try workspace.run(
                """
                {"steps": [{"kind": "source", "dataset": "in.csv"}, {"kind": "select", "columns": ["id", "pricee"]},
                  {"kind": "filter", "where": "id > 0"}, {"kind": "sink", "dataset": "out.csv"}]}
                """)
        } throws: { error in
            guard case .invalidDefinition(let definition) = error as? PipelineError else { return false }
            return definition.problems.map(\.description) == [
                "steps[1].columns[1]: column \"pricee\" does not exist (columns here: id, price, qty)"
            ]
        }
        #expect(!workspace.exists("out.csv"))
    }

    @Test func resolverFailuresNameTheStepAndDataset() throws {
        let definition = try PipelineDefinition.parse(
            [
                "steps": [["kind": "source", "dataset": "../etc/passwd.csv"], ["kind": "sink", "dataset": "o.csv"]]
            ])
        struct Refused: Error, CustomStringConvertible { var description: String { "outside the project folder" } }
        #expect {
            _ = try PipelineEngine.run(definition) { _, _ in throw Refused() }
        } throws: { error in
            "\(error)" == "steps[0].dataset \"../etc/passwd.csv\": outside the project folder"
        }
    }
}
