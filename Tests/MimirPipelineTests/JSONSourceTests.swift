import MimirPipeline
import Testing

@Suite struct JSONSourceTests {
    @Test func jsonArraySourceKeepsKeyOrderAndFillsMissingKeys() throws {
        let workspace = try Workspace()
        try workspace.write("in.json", #"[{"z": 1, "a": "x"}, {"a": "y", "extra": 3}, 5]"#)
        let result = try workspace.run(
            #"{"row_error_policy": "skip", "steps": [{"kind": "source", "dataset": "in.json"}, {"kind": "sink", "dataset": "out.csv"}]}"#
        )
        #expect(try workspace.read("out.csv") == "z,a\n1,x\n,y\n")
        #expect(result.badRows.map(\.description) == ["step 0, line 3: expected a JSON object, got integer"])
    }

    @Test func declaredColumnsAndSizeCap() throws {
        let workspace = try Workspace()
        try workspace.write("in.json", #"[{"a": 1, "b": 2}]"#)
        _ = try workspace.run(
            #"{"steps": [{"kind": "source", "dataset": "in.json", "columns": ["b", "c"]}, {"kind": "sink", "dataset": "out.jsonl"}]}"#
        )
        #expect(try workspace.read("out.jsonl") == "{\"b\":2,\"c\":null}\n")
        #expect {
            _ = try workspace.run(
                #"{"steps": [{"kind": "source", "dataset": "in.json", "max_bytes": 4}, {"kind": "sink", "dataset": "x.csv"}]}"#
            )
        } throws: { error in
            "\(error)".contains("larger than max_bytes")
        }
    }

    @Test func jsonLinesWithDeclaredColumnsIsCheckedStatically() throws {
        let problems = try definitionProblems(
            """
            {"steps": [{"kind": "source", "dataset": "in.jsonl", "columns": ["a"]},
              {"kind": "derive", "columns": {"b": "a + c"}}, {"kind": "sink", "dataset": "out.csv"}]}
            """)
        #expect(problems == ["steps[1].columns.b: column \"c\" does not exist (columns here: a) at column 5"])
    }
}
