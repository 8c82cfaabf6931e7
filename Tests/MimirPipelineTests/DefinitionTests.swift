import MimirCore
import MimirPipeline
import Testing

@Suite struct DefinitionTests {
    @Test func validDefinitionParsesEveryKind() throws {
        let definition = try PipelineDefinition.parse(
            try JSONValue.parse(
                """
                {"row_error_policy": "skip", "max_bad_rows": 3, "steps": [
                  {"kind": "source", "dataset": "in.csv"},
                  {"kind": "select", "columns": ["id", "price", "qty", "region"]},
                  {"kind": "rename", "columns": {"qty": "quantity"}},
                  {"kind": "cast", "columns": {"quantity": "integer"}},
                  {"kind": "filter", "where": "price > 1"},
                  {"kind": "derive", "columns": [{"name": "total", "expr": "price * quantity"}]},
                  {"kind": "dedupe"},
                  {"kind": "sort", "by": [{"column": "total", "descending": true}, "id"]},
                  {"kind": "join", "dataset": "regions.jsonl", "on": ["region"], "how": "left"},
                  {"kind": "group_by", "keys": ["region"], "aggregates": {"n": {"op": "count"}}},
                  {"kind": "limit", "count": 5},
                  {"kind": "sink", "dataset": "out.json"}
                ]}
                """))
        #expect(
            definition.steps.map(\.kind) == [
                "source", "select", "rename", "cast", "filter", "derive", "dedupe", "sort", "join", "group_by", "limit",
                "sink",
            ])
        #expect(definition.steps.count == 12)
        #expect(definition.rowErrorPolicy == .skip)
        #expect(definition.maxBadRows == 3)
        guard case .sink(let sink) = definition.steps[11] else {
            Issue.record("last step is not a sink")
            return
        }
        #expect(sink.format == .json)
    }

    @Test func everyProblemIsReportedWithItsPath() throws {
        let problems = try definitionProblems(
            """
            {"steps": [
              {"kind": "sorce", "dataset": "a.csv"},
              {"kind": "filter", "where": "price * (qty + 1))"},
              {"kind": "filter", "wehre": "x"},
              {"kind": "limit", "count": -1},
              {"kind": "sink", "dataset": "out.parquet"}
            ], "row_error_policy": "ignore"}
            """)
        #expect(
            problems == [
                "row_error_policy: unknown value \"ignore\" (known: \"fail\", \"skip\")",
                "steps[0].kind: unknown step kind \"sorce\" (known: source, select, rename, cast, filter, derive, dedupe, sort, group_by, join, limit, sink)",
                "steps[1].where: unexpected ')' at column 18",
                "steps[2].wehre: unknown field for filter (fields: kind, where)",
                "steps[2].where: required",
                "steps[3].count: expected an integer ≥ 0, got -1",
                "steps[4].format: cannot infer the format from \"out.parquet\"; give \"format\": \"csv\", \"jsonl\" or \"json\"",
            ])
    }

    @Test func structureRules() throws {
        #expect(
            try definitionProblems(#"{"steps": [{"kind": "limit", "count": 1}, {"kind": "filter", "where": "true"}]}"#)
                == [
                    "steps[0].kind: the first step must be a source, got \"limit\"",
                    "steps[1].kind: the last step must be a sink, got \"filter\"",
                ])
        #expect(
            try definitionProblems(
                #"{"steps": [{"kind": "source", "dataset": "a.csv"}, {"kind": "source", "dataset": "b.csv"}, {"kind": "sink", "dataset": "a.csv"}]}"#
            ) == [
                "steps[1].kind: only the first step may be a source; use join to read a second dataset",
                "steps[2].dataset: \"a.csv\" is also read by this pipeline",
            ])
        #expect(try definitionProblems(#"{"steps": []}"#) == ["steps: expected a non-empty array of steps"])
        #expect(
            try definitionProblems(#"{"stepz": []}"#) == [
                "stepz: unknown field (fields: steps, row_error_policy, max_bad_rows)", "steps: required",
            ])
    }

    @Test func columnsAreCheckedStaticallyWhereTheSchemaIsKnown() throws {
        let problems = try definitionProblems(
            """
            {"steps": [
              {"kind": "source", "dataset": "a.csv", "columns": ["id", "price", "qty"]},
              {"kind": "filter", "where": "pricee > 1 and qty > 0"},
              {"kind": "select", "columns": ["id", "pricee"]},
              {"kind": "group_by", "keys": ["id"], "aggregates": {"total": {"op": "sum", "column": "qty"}}},
              {"kind": "sort", "by": ["total", "qty"]},
              {"kind": "sink", "dataset": "out.csv"}
            ]}
            """)
        #expect(
            problems == [
                "steps[1].where: column \"pricee\" does not exist (columns here: id, price, qty) at column 1",
                "steps[2].columns[1]: column \"pricee\" does not exist (columns here: id, price, qty)",
                "steps[3].aggregates.total.column: column \"qty\" does not exist (columns here: id, pricee)",
                "steps[4].by[1]: column \"qty\" does not exist (columns here: id, total)",
            ])
    }

    @Test func expressionFunctionErrorsAreCaughtBeforeRunning() throws {
        let problems = try definitionProblems(
            """
            {"steps": [{"kind": "source", "dataset": "a.csv"},
              {"kind": "derive", "columns": {"x": "nope(1)", "y": "round(1, 2, 3)"}},
              {"kind": "sink", "dataset": "b.jsonl"}]}
            """)
        #expect(
            problems == [
                "steps[1].columns.x: unknown function nope() at column 1",
                "steps[1].columns.y: round() takes 1 or 2 arguments, got 3 at column 1",
            ])
    }

    @Test func stepFieldShapesAreValidated() throws {
        let problems = try definitionProblems(
            """
            {"steps": [{"kind": "source", "dataset": "a.jsonl", "delimiter": ";"},
              {"kind": "cast", "columns": {"x": "float"}},
              {"kind": "group_by", "keys": ["k"], "aggregates": {"s": {"op": "sum"}, "k": {"op": "count"}}},
              {"kind": "join", "dataset": "b.csv", "on": {"left": ["a", "b"], "right": "c"}},
              {"kind": "sink", "dataset": "c.csv", "delimiter": ";;"}]}
            """)
        #expect(
            problems == [
                "steps[0].delimiter: applies to CSV only",
                "steps[1].columns.x: unknown type \"float\" (known: \"integer\", \"number\", \"string\", \"boolean\", \"timestamp\")",
                "steps[2].aggregates.k: \"k\" is also a group key",
                "steps[2].aggregates.s.column: required for sum",
                "steps[3].on: left has 2 key columns but right has 1",
                "steps[4].delimiter: must be a single ASCII character other than a quote or newline",
            ])
    }
}
