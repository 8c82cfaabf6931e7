import Foundation
import MimirCore
import MimirPipeline
import MimirTestSupport
import Testing

/// Aggregates over the project's real datasets, checked against values computed here directly
/// from the file text (independently of the engine's CSV reader and aggregates).
@Suite struct SharedDatasetTests {
    /// Plain comma split: these files have no quoting.
    private func table(_ name: String) throws -> (header: [String], rows: [[String]]) {
        let text = try String(contentsOfFile: try SharedDatasets.path(name), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
        return (lines[0], Array(lines.dropFirst()))
    }

    private func groupedResult(_ workspace: Workspace, _ file: String) throws -> [String: [String: JSONValue]] {
        var byKey: [String: [String: JSONValue]] = [:]
        for line in try workspace.csvLines(file) {
            let object = try JSONValue.parse(line).objectValue ?? [:]
            byKey[object["key"]?.stringValue ?? ""] = object
        }
        return byKey
    }

    @Test func irisAveragePetalLengthPerSpecies() throws {
        let (header, rows) = try table("iris.csv")
        let species = try #require(header.firstIndex(of: "species"))
        let petal = try #require(header.firstIndex(of: "petal_length"))
        var sums: [String: (total: Double, count: Int, low: Double, high: Double)] = [:]
        for row in rows {
            let value = try #require(Double(row[petal]))
            let entry = sums[row[species]] ?? (0, 0, .infinity, -.infinity)
            sums[row[species]] = (entry.total + value, entry.count + 1, min(entry.low, value), max(entry.high, value))
        }
        let workspace = try Workspace()
        let result = try workspace.run(
            """
            {"steps": [{"kind": "source", "dataset": "shared:iris.csv"},
              {"kind": "rename", "columns": {"species": "key"}},
              {"kind": "group_by", "keys": ["key"], "aggregates": {
                  "avg": {"op": "avg", "column": "petal_length"}, "n": {"op": "count"},
                  "low": {"op": "min", "column": "petal_length"}, "high": {"op": "max", "column": "petal_length"}}},
              {"kind": "sink", "dataset": "out.jsonl"}]}
            """)
        #expect(result.steps[0].rowsOut == 150)
        let groups = try groupedResult(workspace, "out.jsonl")
        #expect(Set(groups.keys) == Set(sums.keys))
        for (name, expected) in sums {
            let group = try #require(groups[name])
            let average = try #require(group["avg"]?.doubleValue)
            #expect(abs(average - expected.total / Double(expected.count)) < 1e-12)
            #expect(group["n"]?.int64Value == Int64(expected.count))
            #expect(group["low"]?.doubleValue == expected.low)
            #expect(group["high"]?.doubleValue == expected.high)
        }
    }

    @Test func wineFilterAndAverageAlcoholPerClass() throws {
        let (header, rows) = try table("wine.csv")
        let cls = try #require(header.firstIndex(of: "class"))
        let alcohol = try #require(header.firstIndex(of: "alcohol"))
        let proline = try #require(header.firstIndex(of: "proline"))
        var expected: [String: (Double, Int)] = [:]
        for row in rows where (Double(row[proline]) ?? 0) > 700 {
            let entry = expected[row[cls]] ?? (0, 0)
            expected[row[cls]] = (entry.0 + (Double(row[alcohol]) ?? .nan), entry.1 + 1)
        }
        let workspace = try Workspace()
        _ = try workspace.run(
            """
            {"steps": [{"kind": "source", "dataset": "shared:wine.csv"}, {"kind": "filter", "where": "proline > 700"},
              {"kind": "derive", "columns": {"key": "class"}},
              {"kind": "group_by", "keys": ["key"], "aggregates": [{"name": "avg", "op": "avg", "column": "alcohol"},
                {"name": "n", "op": "count"}]},
              {"kind": "sink", "dataset": "out.jsonl"}]}
            """)
        let groups = try groupedResult(workspace, "out.jsonl")
        #expect(groups.count == expected.count)
        for (name, (total, count)) in expected {
            #expect(groups[name]?["n"]?.int64Value == Int64(count))
            #expect(abs((groups[name]?["avg"]?.doubleValue ?? 0) - total / Double(count)) < 1e-9)
        }
    }

    @Test func diabetesSumAndSortBySex() throws {
        let (header, rows) = try table("diabetes.csv")
        let sex = try #require(header.firstIndex(of: "sex"))
        let progression = try #require(header.firstIndex(of: "progression"))
        var sums: [String: Int64] = [:]
        for row in rows { sums[row[sex], default: 0] += Int64(row[progression]) ?? 0 }
        let workspace = try Workspace()
        _ = try workspace.run(
            """
            {"steps": [{"kind": "source", "dataset": "shared:diabetes.csv"},
              {"kind": "cast", "columns": {"sex": "string"}}, {"kind": "rename", "columns": {"sex": "key"}},
              {"kind": "group_by", "keys": ["key"], "aggregates": {"total": {"op": "sum", "column": "progression"}}},
              {"kind": "sort", "by": [{"column": "total", "descending": true}]},
              {"kind": "sink", "dataset": "out.jsonl"}]}
            """)
        let groups = try groupedResult(workspace, "out.jsonl")
        for (key, total) in sums { #expect(groups[key]?["total"]?.int64Value == total) }
        let totals = try workspace.csvLines("out.jsonl").map { try JSONValue.parse($0)["total"]?.int64Value ?? 0 }
        #expect(totals == totals.sorted(by: >))
    }
}
