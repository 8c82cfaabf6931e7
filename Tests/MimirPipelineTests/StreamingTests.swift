import Foundation
import MimirPipeline
import Testing

/// Large generated inputs: streaming, progress and cancellation.
@Suite(.serialized) struct StreamingTests {
    /// Writes `rows` CSV rows in chunks so the test itself never holds the file in memory.
    private func generate(_ path: String, rows: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        let regions = ["EU", "US", "APAC", "LATAM", "MEA", "NA", "ANZ", "CN"]
        var chunk = "id,region,category,price,qty,timestamp\n"
        for index in 0..<rows {
            chunk += "\(index),\(regions[index % 8]),cat\(index % 13),\(Double(index % 997) / 10),\(index % 17),"
            chunk += "2024-01-01T00:00:\(String(format: "%02d", index % 60))Z\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    @Test func millionRowsStreamThroughFilterSelectSink() throws {
        let workspace = try Workspace()
        try generate(workspace.path("big.csv"), rows: 1_000_000)
        var expected = 0
        for index in 0..<1_000_000 where Double(index % 997) / 10 * Double(index % 17) > 100 && index % 8 != 0 {
            expected += 1
        }
        var reports: [PipelineProgress] = []
        let options = PipelineRunOptions(progress: { reports.append($0) }, progressInterval: 0.05)
        let result = try workspace.run(
            """
            {"steps": [{"kind": "source", "dataset": "big.csv"},
              {"kind": "filter", "where": "price * qty > 100 and region != 'EU'"},
              {"kind": "select", "columns": ["id", "region", "price"]},
              {"kind": "sink", "dataset": "out.csv"}]}
            """, options: options)
        #expect(result.steps[0].rowsOut == 1_000_000)
        #expect(result.steps[1].rowsOut == expected)
        #expect(result.outputs[0].rows == expected)
        let size = try #require(
            try FileManager.default.attributesOfItem(atPath: workspace.path("big.csv"))[.size] as? Int)
        #expect(result.bytesRead == Int64(size))
        let last = try #require(reports.last)
        #expect(last.bytesRead == last.totalBytes)
        #expect(last.rowsRead == 1_000_000)
        #expect(reports.count >= 2)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.bytesRead <= $1.bytesRead })
    }

    @Test func cancellationStopsALongRunAndLeavesNoOutput() throws {
        let workspace = try Workspace()
        try generate(workspace.path("big.csv"), rows: 300_000)
        var polls = 0
        let options = PipelineRunOptions(isCancelled: {
            polls += 1
            return polls > 20
        })
        var rowsWhenCancelled: Int64 = 0
        let withProgress = PipelineRunOptions(
            progress: { rowsWhenCancelled = $0.rowsRead }, progressInterval: 0, isCancelled: options.isCancelled)
        #expect {
            _ = try workspace.run(
                """
                {"steps": [{"kind": "source", "dataset": "big.csv"},
                  {"kind": "group_by", "keys": ["region"], "aggregates": {"n": {"op": "count"}}},
                  {"kind": "sink", "dataset": "out.csv"}]}
                """, options: withProgress)
        } throws: { error in
            if case .cancelled = error as? PipelineError { return true }
            return false
        }
        #expect(polls == 21)
        #expect(rowsWhenCancelled < 300_000)
        #expect(!workspace.exists("out.csv"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.directory.path)
        #expect(leftovers == ["big.csv"])
    }
}
