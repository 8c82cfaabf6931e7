import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// Streaming steps keep memory flat however large the input: `mimir-worker run` of the real plugin
/// over 200,000 and 1,000,000 generated rows, peak RSS measured by the parent (getrusage).
@Suite("Pipeline memory")
struct PipelineMemoryTests {
    /// Writes `rows` rows of `id,region,price,qty` (about 34 bytes each).
    static func generate(_ rows: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let regions = ["EU", "NA", "APAC", "LATAM", "MEA"]
        var chunk = "id,region,price,qty\n"
        for index in 0..<rows {
            chunk += "\(index),\(regions[index % 5]),\(Double(index % 1000) / 10),\(index % 17)\n"
            if chunk.utf8.count > 1 << 20 {
                file.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        file.write(Data(chunk.utf8))
    }

    /// Peak resident memory (KiB) of one `mimir-worker run` of a filter-and-project pipeline.
    static func peakKiB(rows: Int, root: StorageRoot) throws -> (kib: Int, outcome: JSONValue) {
        let name = "gen_\(rows).csv"
        try generate(rows, to: root.file("datasets/\(name)"))
        let job: JSONValue = [
            "type": "pipeline_execution", "project_id": "demo",
            "task_spec": [
                "parameters": [
                    "steps": [
                        ["kind": "source", "dataset": .string(name)],
                        ["kind": "filter", "where": "price * qty > 100 and region != 'EU'"],
                        ["kind": "select", "columns": ["id", "price"]],
                        ["kind": "sink", "dataset": .string("out_\(rows).csv")],
                    ]
                ]
            ],
        ]
        let jobPath = root.file("job_\(rows).json")
        try job.jsonText().write(toFile: jobPath, atomically: true, encoding: .utf8)
        let plugins = try WorkerProcess.shippedPlugins(["PipelineExecution"])
        let wrapper = """
            import json, resource, subprocess, sys
            done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
            print(json.dumps({"kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                              "code": done.returncode, "out": done.stdout, "err": done.stderr[-2000:]}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c", wrapper, BuildProducts.path("mimir-worker"), "run", "--plugin-dir", plugins, "--data-dir", root.path,
            "--job", jobPath,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try JSONValue.parse(data)
        let outcome = (try? JSONValue.parse(report["out"]?.stringValue ?? "")) ?? report
        return (Int(report["kib"]?.int64Value ?? 0), outcome)
    }

    @Test("a filter and projection over 1,000,000 rows peaks at about the memory of 200,000")
    func flatMemory() async throws {
        let root = try StorageRoot()
        // Off the cooperative pool: each run blocks for seconds.
        let (small, large) = try await OwnThread.run {
            (try Self.peakKiB(rows: 200_000, root: root), try Self.peakKiB(rows: 1_000_000, root: root))
        }
        #expect(small.outcome["status"] == "succeeded", "\(small.outcome)")
        #expect(large.outcome["status"] == "succeeded", "\(large.outcome)")
        #expect(large.outcome["result"]?["steps"]?.arrayValue?.first?["rows_out"] == 1_000_000)
        let inputGrowthKiB = (1_000_000 - 200_000) * 34 / 1024
        // Holding the input would add at least its size (about 26 MiB here) and in practice several
        // times that; streaming adds at most buffers.
        #expect(
            large.kib - small.kib < inputGrowthKiB / 2,
            "peak RSS grew from \(small.kib) KiB to \(large.kib) KiB while the input grew by \(inputGrowthKiB) KiB")
    }
}
