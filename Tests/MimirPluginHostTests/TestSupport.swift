import Foundation
import Logging
import MimirCore
import MimirPluginHost
import Synchronization

/// Where the tests find the real, freshly built plugins and the fixture plugins they compile.
enum TestEnvironment {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `swift test` runs the test bundle from the build products folder, where `swift build`
    /// also put the plugin libraries.
    static let buildProducts: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }()

    static func product(_ name: String) -> String { "\(buildProducts)/\(name)" }

    static let swiftPlugins = [
        "libPipelineExecution.so", "libMLTraining.so", "libMLInference.so", "libDigitalTwinUpdate.so",
    ]

    /// Builds the C fixtures and the C example plugin once per test run (the scripts skip
    /// up-to-date outputs). Throws with the compiler's output when a build fails.
    static func fixtures() throws -> String {
        try builtFixtures.get()
    }

    static func fixture(_ variant: String) throws -> String {
        "\(try fixtures())/libfixture_\(variant).so"
    }

    static func examplePlugin() throws -> String {
        "\(try fixtures())/example/libtext_stats.so"
    }

    private static let builtFixtures: Result<String, any Error> = {
        let directory = "\(buildProducts)/test-fixtures"
        return Result {
            try Command.run("/bin/bash", ["\(repositoryRoot)/Tests/Fixtures/plugins/build-fixtures.sh", directory])
                .check()
            try Command.run(
                "/usr/bin/make", ["-s", "-C", "\(repositoryRoot)/examples/c-plugin", "BUILD_DIR=\(directory)/example"]
            )
            .check()
            return directory
        }
    }()

    /// A fresh directory holding symbolic links to `plugins`, as a worker's plugin folder.
    static func pluginDirectory(_ plugins: [String], names: [String]? = nil) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mimir-plugins-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (index, plugin) in plugins.enumerated() {
            let name = names?[index] ?? URL(fileURLWithPath: plugin).lastPathComponent
            try FileManager.default.createSymbolicLink(atPath: "\(directory)/\(name)", withDestinationPath: plugin)
        }
        return directory
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }

    static func registry(
        _ files: [String], configuration: PluginHostConfiguration = PluginHostConfiguration()
    ) -> ExecutorRegistry {
        ExecutorRegistry.load(files: files, configuration: configuration, logger: quietLogger())
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// A finished child process.
struct Command {
    let status: Int32
    let output: String
    let error: String
    let commandLine: String

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil
    ) throws -> Command {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
        let errorData = Mutex(Data())
        let errorRead = DispatchGroup()
        errorRead.enter()
        Thread {
            errorData.withLock { $0 = errorPipe.fileHandleForReading.readDataToEndOfFile() }
            errorRead.leave()
        }.start()
        let output = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorRead.wait()
        return Command(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: errorData.withLock { $0 }, as: UTF8.self),
            commandLine: ([executable] + arguments).joined(separator: " "))
    }

    @discardableResult
    func check() throws(CommandFailure) -> Command {
        guard status == 0 else {
            throw CommandFailure(description: "\(commandLine) exited with \(status)\n\(output)\n\(error)")
        }
        return self
    }
}

/// Collects what an executor reports, for assertions.
final class RecordingObserver: ExecutionObserver {
    struct Records {
        var logs: [(ExecutorLogLevel, String)] = []
        var progress: [(Double, String?)] = []
    }

    private let records = Mutex(Records())

    func executorLogged(_ level: ExecutorLogLevel, _ message: String) {
        records.withLock { $0.logs.append((level, message)) }
    }

    func executorProgressed(_ fraction: Double, _ message: String?) {
        records.withLock { $0.progress.append((fraction, message)) }
    }

    var logs: [(ExecutorLogLevel, String)] { records.withLock { $0.logs } }
    var progress: [(Double, String?)] { records.withLock { $0.progress } }
}

/// Runs `body` on `count` real threads at once (not the 2-thread cooperative pool) and waits.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}
