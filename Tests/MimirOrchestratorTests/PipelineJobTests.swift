import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// `pipeline_execution` jobs run by a real worker with the real PipelineExecution plugin over the
/// project storage, submitted through the orchestrator.
@Suite("Pipeline jobs end to end")
struct PipelineJobTests {
    @Test("iris: filter, derive, group-by, sort and sink; the result and the file match values computed here")
    func irisPipeline() async throws {
        let root = try StorageRoot()
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-pipe", root: root, plugins: ["PipelineExecution"])
        let id = try await api.submit([
            "type": "pipeline_execution", "project_id": "demo",
            "task_spec": [
                "parameters": [
                    "steps": [
                        ["kind": "source", "dataset": "iris.csv"],
                        ["kind": "filter", "where": "sepal_length >= 5.0 and species != 'virginica'"],
                        ["kind": "derive", "columns": ["petal_mm": "petal_length * 10"]],
                        [
                            "kind": "group_by", "keys": ["species"],
                            "aggregates": [
                                ["name": "n", "op": "count"],
                                ["name": "avg_petal_mm", "op": "avg", "column": "petal_mm"],
                            ],
                        ],
                        ["kind": "sort", "by": [["column": "species"]]],
                        ["kind": "sink", "dataset": "iris_summary.csv"],
                    ]
                ]
            ],
        ])
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")

        // Expected, from the raw file.
        var groups: [String: (count: Int, sum: Double)] = [:]
        for row in try irisRows() where row.sepalLength >= 5.0 && row.species != "virginica" {
            groups[row.species, default: (0, 0)].count += 1
            groups[row.species, default: (0, 0)].sum += row.petalLength * 10
        }
        let output = try root.read("outputs/iris_summary.csv").split(separator: "\n").map(String.init)
        #expect(output.first == "species,n,avg_petal_mm")
        #expect(output.count == 1 + groups.count)
        for (line, species) in zip(output.dropFirst(), groups.keys.sorted()) {
            let fields = line.split(separator: ",").map(String.init)
            let expected = try #require(groups[species])
            #expect(fields[0] == species && Int(fields[1]) == expected.count)
            #expect(abs((Double(fields[2]) ?? 0) - expected.sum / Double(expected.count)) < 1e-9, "\(line)")
        }
        let result = try #require(job["result"])
        #expect(result["steps"]?.arrayValue?.first?["rows_out"] == 150)
        #expect(result["outputs"]?.arrayValue?.first?["rows"] == .integer(Int64(groups.count)))
        #expect(result["schema"]?.arrayValue?.map { $0["name"] } == ["species", "n", "avg_petal_mm"])
        #expect(job["progress"] == 1.0)
    }

    @Test("a stored pipeline by pipeline_id, its source and sink filled from data_access")
    func storedPipeline() async throws {
        let root = try StorageRoot()
        try root.write(
            "pipelines/setosa.json",
            #"{"steps": [{"kind": "source"}, {"kind": "filter", "where": "species = 'setosa'"}, {"kind": "select", "columns": ["sepal_length", "species"]}, {"kind": "sink"}]}"#
        )
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-stored", root: root, plugins: ["PipelineExecution"])
        let id = try await api.submit([
            "type": "pipeline_execution", "project_id": "demo", "task_spec": ["pipeline_id": "setosa"],
            "data_access": ["input_datasets": ["datasets/iris.csv"], "output_location": "runs/setosa.jsonl"],
        ])
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")
        #expect(job["result"]?["pipeline_id"] == "setosa")
        let lines = try root.read("runs/setosa.jsonl").split(separator: "\n")
        #expect(lines.count == (try irisRows()).filter { $0.species == "setosa" }.count)
        #expect(lines.first == #"{"sepal_length":5.1,"species":"setosa"}"#)
    }

    @Test("bad definitions, escaping paths, s3 and missing files fail at once, each naming what is wrong")
    func refusals() async throws {
        let root = try StorageRoot()
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-refuse", root: root, plugins: ["PipelineExecution"])
        func pipeline(_ steps: JSONValue) -> JSONValue {
            ["type": "pipeline_execution", "project_id": "demo", "task_spec": ["parameters": ["steps": steps]]]
        }
        let sink: JSONValue = ["kind": "sink", "dataset": "out.csv"]
        let cases: [(JSONValue, String)] = [
            (
                pipeline([
                    ["kind": "source", "dataset": "iris.csv"], ["kind": "filter", "where": "sepal_length >"], sink,
                ]),
                "steps[1].where: "
            ),
            (
                pipeline([
                    ["kind": "source", "dataset": "iris.csv"], ["kind": "select", "columns": ["sepal_lenght"]], sink,
                ]),
                "steps[1].columns[0]: column \"sepal_lenght\" does not exist"
            ),
            (
                pipeline([["kind": "source", "dataset": "../../../../etc/passwd", "format": "csv"], sink]),
                "\"..\" leads outside the project folder"
            ),
            (
                pipeline([["kind": "source", "dataset": "/etc/passwd", "format": "csv"], sink]),
                "outside the storage root"
            ),
            (pipeline([["kind": "source", "dataset": "s3://bucket/iris.csv"], sink]), "s3:// is not supported yet"),
            (pipeline([["kind": "source", "dataset": "nope.csv"], sink]), "no such file"),
            (
                pipeline([
                    ["kind": "source", "dataset": "iris.csv"], ["kind": "sink", "dataset": "file:///tmp/out.csv"],
                ]), "outside the storage root"
            ),
        ]
        for (job, expected) in cases {
            let id = try await api.submit(job)
            let done = try await api.poll(id, seconds: 30, until: isFinal)
            #expect(done["status"] == "failed" && done["error_kind"] == "invalid_input", "\(done)\n\(worker.log)")
            #expect(
                done["error"]?.stringValue?.contains(expected) == true, "\(expected) not in \(done["error"] ?? .null)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.file("outputs/out.csv")), "no partial output")
    }

    @Test("an http(s) input is downloaded into the job's scratch folder and read like a local one")
    func httpSource() async throws {
        let root = try StorageRoot()
        let served = FileManager.default.temporaryDirectory.appendingPathComponent("www-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try SharedDatasets.path("wine.csv"), toPath: "\(served)/wine.csv")
        let port = try FreePort.find()
        let server = try SpawnedProcess(
            executable: "/usr/bin/python3",
            arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", served],
            outputPath: "\(served).log")
        defer { server.signal(SIGKILL) }
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-http", root: root, plugins: ["PipelineExecution"])
        let id = try await api.submit([
            "type": "pipeline_execution", "project_id": "demo",
            "task_spec": [
                "parameters": [
                    "steps": [
                        ["kind": "source", "dataset": .string("http://127.0.0.1:\(port)/wine.csv")],
                        ["kind": "group_by", "aggregates": ["rows": ["op": "count"]]],
                        ["kind": "sink", "dataset": "wine_count.jsonl"],
                    ]
                ]
            ],
        ])
        // The server may take a moment to listen: a refused first attempt is retried by the queue.
        let job = try await api.poll(id, seconds: 40, until: isFinal)
        #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")
        let expected =
            try String(contentsOfFile: try SharedDatasets.path("wine.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).count - 1
        #expect(try root.read("outputs/wine_count.jsonl") == "{\"rows\":\(expected)}\n")
    }
}
