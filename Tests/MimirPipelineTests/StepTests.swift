import MimirCore
import MimirExpressions
import MimirPipeline
import Testing

@Suite struct StepTests {
    static let sales = """
        id,region,price,qty,sold_at
        1,EU,10.0,3,2024-01-05
        2,US,5.5,10,2024-01-06T10:00:00+02:00
        3,EU,20,1,2024-01-07 08:30
        4,APAC,,2,1704067200
        5,US,7.25,4,2024-01-09T00:00:00Z
        3,EU,20,1,2024-01-07 08:30

        """

    private func run(_ steps: String, policy: String = "fail") throws -> (Workspace, PipelineResult) {
        let workspace = try Workspace()
        try workspace.write("sales.csv", Self.sales)
        try workspace.write("regions.csv", "code,name,id\nEU,Europe,100\nUS,United States,200\nUS,Duplicate US,300\n")
        let result = try workspace.run(
            #"{"row_error_policy": "\#(policy)", "steps": [{"kind": "source", "dataset": "sales.csv"}, \#(steps)]}"#)
        return (workspace, result)
    }

    @Test func selectAndRename() throws {
        let (workspace, result) = try run(
            #"{"kind": "select", "columns": ["qty", "id"]}, {"kind": "rename", "columns": {"qty": "quantity"}}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try workspace.csvLines("out.csv").prefix(2) == ["quantity,id", "3,1"])
        #expect(result.schema.map(\.name) == ["quantity", "id"])
        #expect(result.schema.map(\.type) == ["integer", "integer"])
    }

    @Test func castIncludingTimestamps() throws {
        let (workspace, _) = try run(
            #"{"kind": "cast", "columns": {"sold_at": "timestamp", "qty": "number", "id": "string"}}, {"kind": "select", "columns": ["id", "qty", "sold_at"]}, {"kind": "sink", "dataset": "out.jsonl"}"#
        )
        #expect(
            try workspace.csvLines("out.jsonl") == [
                #"{"id":"1","qty":3.0,"sold_at":"2024-01-05T00:00:00Z"}"#,
                #"{"id":"2","qty":10.0,"sold_at":"2024-01-06T08:00:00Z"}"#,
                #"{"id":"3","qty":1.0,"sold_at":"2024-01-07T08:30:00Z"}"#,
                #"{"id":"4","qty":2.0,"sold_at":"2024-01-01T00:00:00Z"}"#,
                #"{"id":"5","qty":4.0,"sold_at":"2024-01-09T00:00:00Z"}"#,
                #"{"id":"3","qty":1.0,"sold_at":"2024-01-07T08:30:00Z"}"#,
            ])
    }

    @Test func castFailureIsARowError() throws {
        let (_, result) = try run(
            #"{"kind": "cast", "columns": {"region": "integer"}}, {"kind": "sink", "dataset": "out.csv"}"#,
            policy: "skip")
        #expect(result.rowsSkipped == 6)
        #expect(
            result.badRows.first?.description == "step 1, line 2: column \"region\": cannot cast string 'EU' to integer"
        )
    }

    @Test func filterWithNullsAndFunctions() throws {
        let (workspace, result) = try run(
            #"{"kind": "filter", "where": "price > 6 and (region in ('EU', 'US') or price is null) and not starts_with(region, 'A')"}, {"kind": "select", "columns": ["id"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try workspace.csvLines("out.csv") == ["id", "1", "3", "5", "3"])
        #expect(result.steps[1].rowsIn == 6)
        #expect(result.steps[1].rowsOut == 4)
    }

    @Test func deriveInOrderWithReplacement() throws {
        let (workspace, _) = try run(
            """
            {"kind": "derive", "columns": [
                {"name": "total", "expr": "coalesce(price, 0) * qty"},
                {"name": "band", "expr": "if(total >= 30, 'high', 'low')"},
                {"name": "region", "expr": "lower(region)"}]},
            {"kind": "select", "columns": ["id", "region", "total", "band"]},
            {"kind": "limit", "count": 3},
            {"kind": "sink", "dataset": "out.csv"}
            """)
        #expect(
            try workspace.csvLines("out.csv") == [
                "id,region,total,band", "1,eu,30.0,high", "2,us,55.0,high", "3,eu,20,low",
            ])
    }

    @Test func dedupeAllColumnsAndByKey() throws {
        let (_, all) = try run(#"{"kind": "dedupe"}, {"kind": "sink", "dataset": "out.csv"}"#)
        #expect(all.steps[1].rowsOut == 5)
        let (workspace, byRegion) = try run(
            #"{"kind": "dedupe", "columns": ["region"]}, {"kind": "select", "columns": ["id"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(byRegion.steps[1].rowsOut == 3)
        #expect(try workspace.csvLines("out.csv") == ["id", "1", "2", "4"])
    }

    @Test func sortDescendingWithNullsAndStableTies() throws {
        let (workspace, _) = try run(
            #"{"kind": "sort", "by": [{"column": "price", "descending": true}, "id"]}, {"kind": "select", "columns": ["id", "price"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try workspace.csvLines("out.csv") == ["id,price", "4,", "3,20", "3,20", "1,10.0", "5,7.25", "2,5.5"])
        let (ascending, _) = try run(
            #"{"kind": "sort", "by": ["price"]}, {"kind": "select", "columns": ["id"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try ascending.csvLines("out.csv") == ["id", "2", "5", "1", "3", "3", "4"])
    }

    @Test func groupByEveryAggregate() throws {
        let (workspace, result) = try run(
            """
            {"kind": "group_by", "keys": ["region"], "aggregates": [
                {"name": "n", "op": "count"}, {"name": "priced", "op": "count", "column": "price"},
                {"name": "units", "op": "sum", "column": "qty"}, {"name": "revenue", "op": "sum", "column": "price"},
                {"name": "avg_price", "op": "avg", "column": "price"},
                {"name": "cheapest", "op": "min", "column": "price"}, {"name": "last_id", "op": "max", "column": "id"}]},
            {"kind": "sink", "dataset": "out.csv"}
            """)
        #expect(
            try workspace.csvLines("out.csv") == [
                "region,n,priced,units,revenue,avg_price,cheapest,last_id",
                "EU,3,3,5,50.0,16.666666666666668,10.0,3",
                "US,2,2,14,12.75,6.375,5.5,5",
                "APAC,1,0,2,,,,4",
            ])
        #expect(result.steps[1].rowsIn == 6)
        #expect(result.steps[1].rowsOut == 3)
        let types = Dictionary(uniqueKeysWithValues: result.schema.map { ($0.name, $0.type) })
        #expect(types["n"] == "integer")
        #expect(types["revenue"] == "number")
    }

    @Test func groupByWithoutKeysGivesOneRow() throws {
        let (workspace, _) = try run(
            #"{"kind": "filter", "where": "qty > 100"}, {"kind": "group_by", "aggregates": {"n": {"op": "count"}, "s": {"op": "sum", "column": "qty"}}}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try workspace.csvLines("out.csv") == ["n,s", "0,"])
    }

    @Test func innerAndLeftJoins() throws {
        let (inner, innerResult) = try run(
            #"{"kind": "join", "dataset": "regions.csv", "on": {"left": "region", "right": "code"}}, {"kind": "select", "columns": ["id", "region", "name", "id_right"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(
            try inner.csvLines("out.csv") == [
                "id,region,name,id_right", "1,EU,Europe,100", "2,US,United States,200", "2,US,Duplicate US,300",
                "3,EU,Europe,100", "5,US,United States,200", "5,US,Duplicate US,300", "3,EU,Europe,100",
            ])
        #expect(innerResult.steps[1].rowsIn == 6)
        #expect(innerResult.steps[1].rowsOut == 7)
        let (left, _) = try run(
            #"{"kind": "join", "dataset": "regions.csv", "how": "left", "on": {"left": ["region"], "right": ["code"]}, "suffix": "_r"}, {"kind": "filter", "where": "name is null or id = 1"}, {"kind": "select", "columns": ["id", "name", "id_r"]}, {"kind": "sink", "dataset": "out.csv"}"#
        )
        #expect(try left.csvLines("out.csv") == ["id,name,id_r", "1,Europe,100", "4,,"])
    }

    @Test func joinKeyMissingFromSecondDatasetIsReportedBeforeRows() throws {
        #expect {
            _ = try run(
                #"{"kind": "join", "dataset": "regions.csv", "on": ["region"]}, {"kind": "sink", "dataset": "out.csv"}"#
            )
        } throws: { error in
            "\(error)"
                == "invalid pipeline:\nsteps[1].on[0]: column \"region\" does not exist (columns in regions.csv: code, name, id)"
        }
    }

    @Test func jsonSinksAndMultipleSinks() throws {
        let (workspace, result) = try run(
            #"{"kind": "select", "columns": ["id", "region"]}, {"kind": "sink", "dataset": "all.json"}, {"kind": "filter", "where": "region = 'US'"}, {"kind": "sink", "dataset": "us.jsonl"}"#
        )
        let all = try JSONValue.parse(try workspace.read("all.json"))
        #expect(all.arrayValue?.count == 6)
        #expect(all.arrayValue?.first == ["id": 1, "region": "EU"])
        #expect(try workspace.csvLines("us.jsonl") == [#"{"id":2,"region":"US"}"#, #"{"id":5,"region":"US"}"#])
        #expect(result.outputs.map(\.rows) == [6, 2])
        #expect(result.outputs.map(\.format) == [.json, .jsonl])
        #expect(result.outputs[0].bytes == Int64(try workspace.read("all.json").utf8.count))
    }

    @Test func limitStopsReadingEarly() throws {
        let workspace = try Workspace()
        var text = "n\n"
        for index in 0..<200_000 { text += "\(index)\n" }
        try workspace.write("big.csv", text)
        let result = try workspace.run(
            #"{"steps": [{"kind": "source", "dataset": "big.csv"}, {"kind": "limit", "count": 5}, {"kind": "sink", "dataset": "out.csv"}]}"#
        )
        #expect(try workspace.csvLines("out.csv") == ["n", "0", "1", "2", "3", "4"])
        #expect(result.steps[0].rowsOut < 200_000)
    }

    @Test func resultDocumentShape() throws {
        let (_, result) = try run(#"{"kind": "limit", "count": 2}, {"kind": "sink", "dataset": "out.csv"}"#)
        let json = result.json
        #expect(json["steps"]?.arrayValue?.count == 3)
        #expect(json["steps"]?.arrayValue?[1]["rows_out"] == 2)
        #expect(json["outputs"]?.arrayValue?[0]["dataset"] == "out.csv")
        #expect(json["outputs"]?.arrayValue?[0]["rows"] == 2)
        #expect(json["schema"]?.arrayValue?.count == 5)
        #expect(json["rows_skipped"] == 0)
        #expect(json["bad_rows"] == [])
        #expect(json["seconds"]?.doubleValue != nil)
    }
}
