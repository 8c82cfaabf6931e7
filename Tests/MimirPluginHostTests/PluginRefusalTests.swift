import Foundation
import MimirCore
import MimirPluginHost
import Testing

@Suite("Refusing bad plugins")
struct PluginRefusalTests {
    /// Each fixture and the words its one-line refusal must contain.
    static let cases: [(fixture: String, expected: [String])] = [
        ("no_entry", ["missing entry symbol mimir_plugin_entry"]),
        ("bad_magic", ["bad descriptor magic 0xDEADBEEF", "expected 0x4D494D52"]),
        ("abi_major", ["plugin ABI major 2 is not spoken by this host (host ABI major 1)"]),
        ("abi_minor_newer", ["plugin built against ABI 1.1, newer than this host's ABI 1.0"]),
        ("small_struct", ["descriptor struct_size 8 is smaller than the ABI 1.0 descriptor"]),
        ("empty_name", ["invalid descriptor: name is empty"]),
        ("bad_semver", ["invalid descriptor: version \"1.2\" is not a semantic version"]),
        (
            "bad_executor_semver",
            ["invalid executor #0 (fixture_bad_executor_semver): version \"v1.0.0\" is not a semantic version"]
        ),
        (
            "bad_schema_json",
            ["invalid executor #0 (fixture_bad_schema_json): parameters_schema is not a valid JSON Schema"]
        ),
        (
            "bad_schema",
            [
                "invalid executor #0 (fixture_bad_schema): parameters_schema is not a valid JSON Schema",
                "/properties/n/minimum",
            ]
        ),
        (
            "bad_schema_root",
            ["invalid executor #0 (fixture_bad_schema_root): parameters_schema must describe an object"]
        ),
        ("bad_job_type", ["invalid executor #0: job type \"Bad-Type\" must be 1 to 64 characters of [a-z0-9_]"]),
        ("duplicate_in_plugin", ["invalid executor #1 (fixture_dup): job type declared twice in the same plugin"]),
        ("null_execute", ["invalid executor #0 (fixture_null_execute): execute function is NULL"]),
        ("init_refuses", ["init refused: missing licence file /etc/fixture.lic"]),
        (
            "huge_schema",
            ["invalid executor #0 (fixture_huge_schema): parameters_schema is longer than the limit of 1048576 bytes"]
        ),
        ("huge_count", ["invalid descriptor: executor_count 100000 exceeds the limit of 1024"]),
    ]

    @Test("each bad fixture is refused with a one-line reason naming the file", arguments: cases.map(\.fixture))
    func refusal(fixture: String) throws {
        let path = try TestEnvironment.fixture(fixture)
        let registry = TestEnvironment.registry([path])
        #expect(registry.plugins.isEmpty)
        let refusal = try #require(registry.refusals.first)
        let message = refusal.description
        #expect(message.hasPrefix("\(path): refused: "))
        #expect(!message.contains("\n"))
        for fragment in try #require(Self.cases.first { $0.fixture == fixture }).expected {
            #expect(message.contains(fragment), "\(message)")
        }
    }

    @Test("a file that is not a shared library is refused with the loader's reason")
    func notALibrary() throws {
        let directory = try TestEnvironment.pluginDirectory([])
        let path = "\(directory)/libnotes.so"
        try "just some text".write(toFile: path, atomically: true, encoding: .utf8)
        let registry = TestEnvironment.registry([path])
        let message = try #require(registry.refusals.first).description
        #expect(message.hasPrefix("\(path): refused: not a loadable shared library: "))
        #expect(message.contains("file too short") || message.contains("invalid ELF header"), "\(message)")
    }

    /// A copy of a real plugin in `directory`, changed by `edit`.
    static func damagedCopy(_ name: String, in directory: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try TestEnvironment.fixture("good"))))
        edit(&bytes)
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "a truncated copy of a real plugin is refused before dlopen, which would die of SIGBUS on it",
        arguments: [10, 30])
    func truncated(percent: Int) throws {
        let directory = try TestEnvironment.pluginDirectory([])
        let path = try Self.damagedCopy("libcut.so", in: directory) {
            $0.removeLast($0.count - $0.count * percent / 100)
        }
        let registry = TestEnvironment.registry([path])
        let message = try #require(registry.refusals.first).description
        #expect(message.hasPrefix("\(path): refused: truncated library: "), "\(message)")
        #expect(message.contains("past the end of the file"), "\(message)")
    }

    @Test("a library for another architecture or word size is refused, naming both architectures")
    func wrongArchitecture() throws {
        let directory = try TestEnvironment.pluginDirectory([])
        // e_machine (bytes 18–19) patched to AArch64 (183), then the class byte to 32-bit.
        let arm = try Self.damagedCopy("libarm.so", in: directory) {
            $0[18] = 183
            $0[19] = 0
        }
        let thirtyTwo = try Self.damagedCopy("lib32.so", in: directory) { $0[4] = 1 }
        let registry = TestEnvironment.registry([arm, thirtyTwo])
        let messages = registry.refusals.map(\.description)
        #if arch(x86_64)
            #expect(messages.first == "\(arm): refused: wrong architecture: built for AArch64; this host runs x86-64")
        #endif
        #expect(messages.last?.hasPrefix("\(thirtyTwo): refused: wrong architecture: a 32-bit ELF file") == true)
    }

    @Test("eight kinds of malformed plugin files side by side: each refused with its reason, good plugins serve")
    func malformedSideBySide() throws {
        let directory = try TestEnvironment.pluginDirectory(
            try [
                "no_entry", "abi_major", "bad_magic", "huge_schema", "huge_count", "init_refuses", "conflict_a",
                "conflict_b", "good",
            ].map { try TestEnvironment.fixture($0) })
        _ = try Self.damagedCopy("libtruncated.so", in: directory) { $0.removeLast($0.count * 7 / 10) }
        _ = try Self.damagedCopy("libaarch64.so", in: directory) {
            $0[18] = 183
            $0[19] = 0
        }
        let registry = try ExecutorRegistry.load(
            directory: directory, configuration: PluginHostConfiguration(), logger: TestEnvironment.quietLogger())
        defer { registry.shutdown() }
        let reasons = registry.refusals.map { "\($0.reason)" }
        for expected in [
            "truncated library", "wrong architecture", "missing entry symbol", "plugin ABI major 2",
            "bad descriptor magic", "longer than the limit", "exceeds the limit of 1024", "init refused",
        ] {
            #expect(reasons.contains { $0.hasPrefix(expected) || $0.contains(expected) }, "\(expected): \(reasons)")
        }
        #expect(registry.refusals.count == 8)
        // The same job type in two files: one wins, the conflict is reported, nothing is refused for it.
        #expect(registry.conflicts.map(\.jobType) == ["fixture_conflict"])
        #expect(registry.jobTypes == ["fixture_conflict", "fixture_echo", "fixture_serial"])
        let outcome = try #require(registry.executor(for: "fixture_echo")).run(
            ExecutionRequest(jobID: "still-serving", parameters: ["message": "hi"]))
        #expect(outcome.status == .succeeded && outcome.result?["echo"] == "hi")
    }

    @Test("a directory or a missing path is not a plugin file")
    func notAFile() throws {
        let directory = try TestEnvironment.pluginDirectory([])
        try FileManager.default.createDirectory(atPath: "\(directory)/folder.so", withIntermediateDirectories: true)
        let registry = TestEnvironment.registry(["\(directory)/folder.so", "\(directory)/missing.so"])
        #expect(registry.refusals.map(\.reason) == [.notAFile, .notAFile])
    }

    @Test("an init refused through configuration carries the plugin's reason")
    func initRefusedByConfiguration() throws {
        let path = try TestEnvironment.fixture("good")
        let configuration = PluginHostConfiguration(pluginConfiguration: ["fixture-good": ["refuse": true]])
        let registry = TestEnvironment.registry([path], configuration: configuration)
        #expect(registry.plugins.isEmpty)
        #expect(registry.refusals.first?.reason == .initRefused("init refused by configuration"))
    }

    @Test("refused plugins do not stop the good ones in the same directory")
    func goodPluginsStillServe() throws {
        let bad = try Self.cases.map { try TestEnvironment.fixture($0.fixture) }
        let good = [try TestEnvironment.fixture("good"), TestEnvironment.product("libMLTraining.so")]
        let directory = try TestEnvironment.pluginDirectory(bad + good)
        try "not elf".write(toFile: "\(directory)/libzz_text.so", atomically: true, encoding: .utf8)
        try "ignored: not *.so".write(toFile: "\(directory)/README.txt", atomically: true, encoding: .utf8)
        let registry = try ExecutorRegistry.load(
            directory: directory, configuration: PluginHostConfiguration(), logger: TestEnvironment.quietLogger())
        defer { registry.shutdown() }

        #expect(registry.refusals.count == Self.cases.count + 1)
        #expect(registry.plugins.map(\.manifest.name).sorted() == ["MLTraining", "fixture-good"])
        #expect(registry.jobTypes == ["fixture_echo", "fixture_serial", "ml_training"])
        let outcome = try #require(registry.executor(for: "fixture_echo")).run(
            ExecutionRequest(jobID: "still-serving", parameters: ["message": "hi"]))
        #expect(outcome.status == .succeeded)
        #expect(outcome.result?["echo"] == "hi")
    }

    @Test("an unreadable plugin directory is an error naming it")
    func missingDirectory() {
        #expect {
            _ = try ExecutorRegistry.load(
                directory: "/nonexistent/mimir-plugins", configuration: PluginHostConfiguration(),
                logger: TestEnvironment.quietLogger())
        } throws: { error in
            "\(error)" == "plugin directory /nonexistent/mimir-plugins does not exist"
        }
    }
}

@Suite("Job-type conflicts between plugins")
struct ConflictTests {
    @Test("the higher executor version wins and the conflict is reported as a configuration error")
    func higherVersionWins() throws {
        let registry = TestEnvironment.registry([
            try TestEnvironment.fixture("conflict_a"), try TestEnvironment.fixture("conflict_b"),
        ])
        defer { registry.shutdown() }
        let conflict = try #require(registry.conflicts.first)
        #expect(registry.conflicts.count == 1)
        #expect(conflict.jobType == "fixture_conflict")
        #expect(conflict.chosen.plugin == "fixture-conflict-b")
        #expect(conflict.chosen.executorVersion == SemanticVersion("1.5.0"))
        #expect(conflict.shadowed.map(\.plugin) == ["fixture-conflict-a"])
        #expect(
            conflict.description.hasPrefix("configuration error: job type fixture_conflict is registered by 2 plugins"))
        let outcome = try #require(registry.executor(for: "fixture_conflict")).run(ExecutionRequest(jobID: "c1"))
        #expect(outcome.result == ["served_by": "fixture-conflict-b"])
    }

    @Test("among equal versions the file name that sorts first wins, whatever the load order")
    func tieBrokenByFileName() throws {
        let path = try TestEnvironment.fixture("conflict_a")
        let directory = try TestEnvironment.pluginDirectory([path, path], names: ["libzeta.so", "libalpha.so"])
        let files = ["\(directory)/libzeta.so", "\(directory)/libalpha.so"]
        for order in [files, files.reversed()] {
            let registry = TestEnvironment.registry(order)
            defer { registry.shutdown() }
            #expect(registry.conflicts.first?.chosen.path == "\(directory)/libalpha.so")
            #expect(registry.executor(for: "fixture_conflict")?.path == "\(directory)/libalpha.so")
        }
    }
}
