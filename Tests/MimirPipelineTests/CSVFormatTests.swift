import MimirExpressions
import MimirPipeline
import Testing

@Suite struct CSVFormatTests {
    private func copy(_ workspace: Workspace, source: String = #""dataset": "in.csv""#, to sink: String = "out.jsonl")
        throws -> PipelineResult
    {
        try workspace.run(#"{"steps": [{"kind": "source", \#(source)}, {"kind": "sink", "dataset": "\#(sink)"}]}"#)
    }

    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let workspace = try Workspace()
        try workspace.write(
            "in.csv",
            "id,text,note\r\n1,\"a, b\",\"say \"\"hi\"\"\"\r\n2,\"line one\nline two\",plain\r\n3,,\"\"\r\n")
        let result = try copy(workspace)
        #expect(result.outputs[0].rows == 3)
        #expect(
            try workspace.csvLines("out.jsonl") == [
                #"{"id":1,"text":"a, b","note":"say \"hi\""}"#,
                #"{"id":2,"text":"line one\nline two","note":"plain"}"#,
                #"{"id":3,"text":null,"note":""}"#,
            ])
    }

    @Test func lineNumbersCountEmbeddedNewlines() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "a,b\n1,\"x\ny\"\n2,3,4\n5,6\n")
        let result = try workspace.run(
            #"{"row_error_policy": "skip", "steps": [{"kind": "source", "dataset": "in.csv"}, {"kind": "sink", "dataset": "out.csv"}]}"#
        )
        #expect(result.badRows.map(\.description) == ["step 0, line 4: expected 2 fields, found 3"])
        #expect(try workspace.csvLines("out.csv") == ["a,b", "1,\"x", "y\"", "5,6"])
    }

    @Test func headerlessCustomDelimiterNoTrailingNewlineAndByteOrderMark() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "\u{FEFF}1;x;true\n2;y;FALSE")
        _ = try copy(workspace, source: #""dataset": "in.csv", "header": false, "delimiter": ";""#)
        #expect(
            try workspace.csvLines("out.jsonl") == [
                #"{"column_1":1,"column_2":"x","column_3":true}"#, #"{"column_1":2,"column_2":"y","column_3":false}"#,
            ])
    }

    @Test func typeInferenceRules() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "a,b,c,d,e,f\n007,-3,2.50,1e3,\"42\",.5\n")
        _ = try copy(workspace)
        #expect(try workspace.csvLines("out.jsonl") == [#"{"a":"007","b":-3,"c":2.5,"d":1000.0,"e":42,"f":0.5}"#])
        _ = try copy(workspace, source: #""dataset": "in.csv", "infer_types": false"#, to: "raw.jsonl")
        #expect(
            try workspace.csvLines("raw.jsonl") == [#"{"a":"007","b":"-3","c":"2.50","d":"1e3","e":"42","f":".5"}"#])
    }

    @Test func duplicateAndBlankHeaderNamesAreMadeUnique() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "x,x,\n1,2,3\n")
        let result = try copy(workspace)
        #expect(result.schema.map(\.name) == ["x", "x_2", "column_3"])
    }

    @Test func unterminatedQuoteIsABadRow() throws {
        let workspace = try Workspace()
        try workspace.write("in.csv", "a,b\n1,2\n3,\"open\n")
        #expect {
            _ = try copy(workspace)
        } throws: { error in
            "\(error)" == "step 0, line 3: unterminated quoted field"
        }
    }

    @Test func writerQuotesOnlyWhenNeededAndRoundTrips() throws {
        let workspace = try Workspace()
        try workspace.write(
            "in.jsonl",
            #"{"a": "x,y", "b": "say \"hi\"", "c": "multi\nline", "d": null, "e": "", "f": " pad", "g": 1.5}"# + "\n")
        _ = try workspace.run(
            #"{"steps": [{"kind": "source", "dataset": "in.jsonl"}, {"kind": "sink", "dataset": "out.csv"}]}"#)
        #expect(
            try workspace.read("out.csv")
                == "a,b,c,d,e,f,g\n\"x,y\",\"say \"\"hi\"\"\",\"multi\nline\",,\"\",\" pad\",1.5\n")
        _ = try workspace.run(
            #"{"steps": [{"kind": "source", "dataset": "out.csv"}, {"kind": "sink", "dataset": "back.jsonl"}]}"#)
        #expect(
            try workspace.read("back.jsonl")
                == #"{"a":"x,y","b":"say \"hi\"","c":"multi\nline","d":null,"e":"","f":" pad","g":1.5}"# + "\n")
    }

    @Test func recordsSpanningReadChunksParseCorrectly() throws {
        let workspace = try Workspace()
        // ~3 MiB with quoted multi-line fields, so records cross the 1 MiB read boundaries.
        var text = "id,body,n\r\n"
        for index in 0..<30_000 {
            text +=
                "\(index),\"row \(index), with \"\"quotes\"\"\nand a newline \(String(repeating: "x", count: index % 50))\",\(index * 2)\r\n"
        }
        try workspace.write("in.csv", text)
        let result = try workspace.run(
            """
            {"steps": [{"kind": "source", "dataset": "in.csv"},
              {"kind": "filter", "where": "n = id * 2 and contains(body, 'quotes\\"') and ends_with(body, 'x') = (id % 50 > 0)"},
              {"kind": "sink", "dataset": "out.csv"}]}
            """)
        #expect(result.steps[0].rowsOut == 30_000)
        #expect(result.steps[1].rowsOut == 30_000)
    }
}
