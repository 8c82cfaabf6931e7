import Foundation
import MimirCore
import MimirStorage
import Testing

/// A storage root in a fresh temporary folder, with one file in the `demo` project.
struct StorageFixture {
    let base: String
    let storage: ProjectStorage

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)").path
        storage = try ProjectStorage(root: "\(base)/root")
        let datasets = try storage.projectDirectory("demo") + "/datasets"
        try "a,b\n1,2\n".write(toFile: "\(datasets)/iris.csv", atomically: true, encoding: .utf8)
    }

    func path(_ reference: String, project: String = "demo", _ direction: DatasetDirection = .input) throws
        -> String
    {
        guard case .file(let path) = try storage.resolve(reference, project: project, direction: direction) else {
            throw StorageError(reference: reference, reason: "not a file")
        }
        return path
    }

    func refusal(_ reference: String, project: String = "demo", _ direction: DatasetDirection = .input) -> String? {
        do {
            _ = try storage.resolve(reference, project: project, direction: direction)
            return nil
        } catch {
            return error.reason
        }
    }
}

@Suite("Project storage: what a job may read and write")
struct ProjectStorageTests {
    @Test("the project layout is created; bare names, relative paths, file URIs and absolute paths resolve inside")
    func resolvesInside() throws {
        let fixture = try StorageFixture()
        let root = fixture.storage.root
        for area in ["datasets", "pipelines", "models", "twins", "outputs"] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/projects/demo/\(area)"))
        }
        let iris = "\(root)/projects/demo/datasets/iris.csv"
        #expect(try fixture.path("iris.csv") == iris)
        #expect(try fixture.path("datasets/iris.csv") == iris)
        #expect(try fixture.path("./datasets/../datasets/iris.csv") == iris)
        #expect(try fixture.path("file://\(iris)") == iris)
        #expect(try fixture.path("file://localhost\(root)/projects/demo/datasets/iris%2Ecsv") == iris)
        #expect(try fixture.path(iris) == iris)
        #expect(try fixture.path("result.csv", .output) == "\(root)/projects/demo/outputs/result.csv")
        #expect(try fixture.path("iris.csv", project: "") == "\(root)/projects/default/datasets/iris.csv")
        #expect(
            try fixture.storage.resolve("https://example.org/x.csv?v=1", project: "demo", direction: .input)
                == .http(url: "https://example.org/x.csv?v=1"))
        let output = try fixture.storage.outputPath("runs/7/out.jsonl", project: "demo")
        #expect(output == "\(root)/projects/demo/runs/7/out.jsonl")
        #expect(FileManager.default.fileExists(atPath: "\(root)/projects/demo/runs/7"))
    }

    @Test("escapes are refused: .., absolute paths elsewhere, symbolic links out, other projects, s3 and others")
    func refusesEscapes() throws {
        let fixture = try StorageFixture()
        let root = fixture.storage.root
        let outside = "\(fixture.base)/secret"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "s".write(toFile: "\(outside)/key.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: "\(root)/projects/demo/datasets/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: "\(root)/projects/demo/datasets/sneaky.csv", withDestinationPath: "\(outside)/key.txt")
        _ = try fixture.storage.projectDirectory("other")

        #expect(fixture.refusal("../../../secret/key.txt") == "\"..\" leads outside the project folder")
        #expect(fixture.refusal("datasets/../../other/datasets/x.csv") == "\"..\" leads outside the project folder")
        #expect(fixture.refusal("\(outside)/key.txt")?.hasPrefix("outside the storage root") == true)
        #expect(fixture.refusal("file://\(outside)/key.txt")?.hasPrefix("outside the storage root") == true)
        #expect(fixture.refusal("file://\(root)/../secret/key.txt")?.hasPrefix("outside the storage root") == true)
        #expect(fixture.refusal("datasets/link/key.txt")?.hasPrefix("outside the project folder") == true)
        #expect(fixture.refusal("sneaky.csv")?.hasPrefix("outside the project folder") == true)
        #expect(fixture.refusal("out.csv", .output) == nil)
        #expect(fixture.refusal("link/new.csv", .output) == nil, "datasets/ is not the output area")
        #expect(fixture.refusal("datasets/link/new.csv", .output)?.hasPrefix("outside the project folder") == true)
        #expect(fixture.refusal("s3://bucket/train.parquet") == "s3:// is not supported yet")
        #expect(fixture.refusal("ftp://host/x")?.hasPrefix("unsupported scheme ftp://") == true)
        #expect(fixture.refusal("https://example.org/x", .output)?.contains("not supported") == true)
        #expect(fixture.refusal("file://otherhost/etc/passwd")?.hasPrefix("a file URI must name no host") == true)
        #expect(fixture.refusal("file:relative") == "a file URI is file:///absolute/path")
        #expect(fixture.refusal("x.csv", project: "..")?.hasPrefix("not a project id") == true)
        #expect(fixture.refusal("x.csv", project: "a/b")?.hasPrefix("not a project id") == true)
        #expect(fixture.refusal("") == "a dataset reference must be a non-empty string")
    }
}
