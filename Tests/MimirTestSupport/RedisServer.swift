import Foundation
import Synchronization

/// A real `redis-server` for one test: its own loopback port and its own temporary directory, so
/// tests can run in parallel and can kill and restart their server without disturbing each other.
///
/// The process is killed when the object goes away, so a test that fails halfway never leaves a
/// server behind.
public final class RedisServer: Sendable {
    public struct Options: Sendable {
        /// Keep an append-only file, so data survives ``kill()`` and ``restart()``.
        public var appendOnly = false
        /// Started with `--requirepass`: clients must AUTH.
        public var password: String?
        /// Allow DEBUG (SLEEP, …): Redis 7 refuses it unless enabled.
        public var enableDebugCommand = false
        public var extraArguments: [String] = []

        public init(
            appendOnly: Bool = false, password: String? = nil, enableDebugCommand: Bool = false,
            extraArguments: [String] = []
        ) {
            self.appendOnly = appendOnly
            self.password = password
            self.enableDebugCommand = enableDebugCommand
            self.extraArguments = extraArguments
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let host = "127.0.0.1"
    public let port: Int
    public let options: Options
    /// The server's `--dir`: its log, and its data files when persistence is on.
    public let directory: URL
    private let executable: String
    private let process: Mutex<SpawnedProcess?>

    /// `redis://127.0.0.1:PORT`, with the password when the server requires one.
    public var url: String {
        let credentials = options.password.map { ":\(Self.percentEncode($0))@" } ?? ""
        return "redis://\(credentials)\(host):\(port)"
    }

    /// Starts a server and waits until it answers PING (10 s of probing at most).
    public static func start(_ options: Options = Options()) async throws -> RedisServer {
        let executable = try findExecutable()
        var lastError: (any Error)?
        for _ in 0..<5 {
            let server = try RedisServer(executable: executable, port: FreePort.find(), options: options)
            do {
                try await server.launch()
                return server
            } catch let failure as Failure where failure.description.contains("Address already in use") {
                lastError = failure  // Another process took the port in the meantime: try another.
            }
        }
        throw lastError ?? Failure(description: "could not start redis-server")
    }

    private init(executable: String, port: Int, options: Options) throws {
        self.executable = executable
        self.port = port
        self.options = options
        self.process = Mutex(nil)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mimir-redis-test-\(port)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        process.withLock { $0 = nil }  // SpawnedProcess.deinit kills and reaps it.
        try? FileManager.default.removeItem(at: directory)
    }

    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// The pid of the current (or last) `redis-server` process.
    public var processIdentifier: Int32? { process.withLock { $0?.pid } }

    /// SIGKILL: the server dies at once, without saving, as in a crash.
    public func kill() async {
        await signal(SIGKILL)
    }

    /// SIGTERM: the server shuts down as it would on a normal stop.
    public func stop() async {
        await signal(SIGTERM)
    }

    /// SIGSTOP: the server stays up but answers nothing; connections open (the kernel accepts them)
    /// and then hang, as with a hung server or a network that drops packets. ``thaw()`` resumes it.
    public func freeze() {
        process.withLock { $0 }?.signal(SIGSTOP)
    }

    /// SIGCONT after ``freeze()``.
    public func thaw() {
        process.withLock { $0 }?.signal(SIGCONT)
    }

    /// Freezes the server for `duration`, timed on a thread of its own: a `Task.sleep` between
    /// ``freeze()`` and ``thaw()`` lasts as long as the cooperative pool takes to give the task a
    /// thread back, seconds longer when other tests hold it, which a test that needs the freeze
    /// shorter than a timeout cannot allow. `whileFrozen` runs right after the freeze.
    public func freeze(for duration: Duration, whileFrozen: @escaping @Sendable () -> Void = {}) async throws {
        let (seconds, attoseconds) = duration.components
        let microseconds = UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        try await OwnThread.run {
            self.freeze()
            whileFrozen()
            usleep(microseconds)
            self.thaw()
        }
    }

    /// Starts the server again on the same port and directory (stopping it first if it runs). What
    /// it held before survives only with ``Options/appendOnly``.
    /// `probing` bounds the wait for PING: a server loading a large data set needs more.
    public func restart(probing budget: Duration = .seconds(10)) async throws {
        if isRunning { await stop() }
        try await launch(probing: budget)
    }

    /// The server's log, for failure messages.
    public var log: String {
        let files = ["redis.log", "output.log"].map { directory.appendingPathComponent($0) }
        return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    // MARK: - Implementation

    private func launch(probing budget: Duration = .seconds(10)) async throws {
        var arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory.path, "--daemonize", "no",
            "--logfile", directory.appendingPathComponent("redis.log").path, "--save", "",
            "--appendonly", options.appendOnly ? "yes" : "no",
        ]
        if let password = options.password { arguments += ["--requirepass", password] }
        if options.enableDebugCommand { arguments += ["--enable-debug-command", "yes"] }
        arguments += options.extraArguments

        let process = try SpawnedProcess(
            executable: executable, arguments: arguments,
            outputPath: directory.appendingPathComponent("output.log").path)
        self.process.withLock { $0 = process }

        // The budget is counted in probes rather than on the clock: while other tests hold every
        // thread of the cooperative pool, this task waits for one without probing, and that wait
        // says nothing about the server.
        let interval = Duration.milliseconds(20)
        var probing = Duration.zero
        while probing < budget {
            guard process.isRunning else {
                throw Failure(description: "redis-server on port \(port) exited at start:\n\(log)")
            }
            let started = ContinuousClock.now
            if RedisProbe.probe(port: port, password: options.password, expectedPID: process.pid) == .ready { return }
            probing += ContinuousClock.now - started + interval
            try await Task.sleep(for: interval)
        }
        await signal(SIGKILL)
        throw Failure(description: "redis-server on port \(port) did not answer PING in \(budget) of probing:\n\(log)")
    }

    private func signal(_ signal: Int32) async {
        guard let process = process.withLock({ $0 }) else { return }
        process.signal(signal)
        await process.waitForExit()
    }

    private static func findExecutable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "redis-server is not on PATH nor in /usr/bin: apt-get install redis-server")
        }
        return found
    }

    private static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
