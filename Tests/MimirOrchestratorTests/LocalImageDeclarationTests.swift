import Foundation
import MimirCore
import Testing

@testable import MimirOrchestrator

/// The image `local`, declared at start from what `mimir-worker declare` prints.
@Suite("Declaring the local image")
struct LocalImageDeclarationTests {
    /// A stand-in for `mimir-worker declare`: `script` runs with /bin/sh.
    static func worker(_ script: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("declare-\(UUID().uuidString)").path
        try "#!/bin/sh\n\(script)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test(
        "a declaration that writes far more to stderr than a pipe holds, before its stdout, is read all the same",
        .timeLimit(.minutes(1)))
    func chattyDeclaration() async throws {
        // 300 KB of warnings first: read one pipe after the other, both processes waited for ever.
        let worker = try Self.worker(
            "head -c 300000 /dev/zero | tr '\\0' 'w' >&2\necho '{\"capabilities\": [], \"slots\": 2}'")
        defer { unlink(worker) }
        let declaration = try await LocalImageDeclaration.make(
            workerExecutable: worker, pluginDirectory: "/plugins", slots: 2)
        #expect(declaration.image == "local")
        #expect(declaration.document["plugin_dir"] == "/plugins" && declaration.document["slots"] == 2)
    }

    @Test("a declaration that fails is a start error carrying what the worker wrote to stderr")
    func failedDeclaration() async throws {
        let worker = try Self.worker("echo 'no plugin in /plugins' >&2\nexit 3")
        defer { unlink(worker) }
        await #expect {
            _ = try await LocalImageDeclaration.make(workerExecutable: worker, pluginDirectory: "/plugins", slots: 1)
        } throws: { error in
            "\(error)".contains("no plugin in /plugins")
        }
    }
}
