import Foundation
import Logging
import MimirCore
import MimirPluginHost
import MimirTestSupport
import Synchronization
import Testing

@testable import MimirWorker

/// A slot's lane into real executor processes (`mimir-worker executor-process` with the fixture
/// plugins), with jobs sent ahead into a process while the job before them runs.
@Suite("Executor lanes: jobs sent ahead into executor processes")
struct ExecutorLaneTests {
    /// What one job's executor logged.
    final class Lines: ExecutionObserver, Sendable {
        private let lines = Mutex<[String]>([])
        func executorLogged(_ level: ExecutorLogLevel, _ message: String) { lines.withLock { $0.append(message) } }
        func executorProgressed(_ fraction: Double, _ message: String?) {}
        var all: [String] { lines.withLock { $0 } }
    }

    /// A lane over a pool of one process; the fixture plugins loaded here too, as a worker does.
    final class Setup: Sendable {
        let registry: ExecutorRegistry
        let pool: ExecutorProcessPool

        /// `script`: a scripted executor process (Tests/Fixtures/executor-process) instead of
        /// `mimir-worker executor-process`, for an order of events a real one produces only by chance.
        init(jobsPerProcess: Int? = nil, script: String? = nil) throws {
            let plugins = try WorkerProcess.faultyPlugins()
            var logger = Logger(label: "lane-test")
            logger.logLevel = .critical
            registry = try ExecutorRegistry.load(
                directory: plugins, configuration: PluginHostConfiguration(), logger: logger)
            let executable = script == nil ? BuildProducts.path("mimir-worker") : "/usr/bin/env"
            let arguments =
                script.map { ["python3", Self.scriptedChildren.appendingPathComponent($0).path] }
                ?? ["executor-process", "--plugin-dir", plugins, "--log-level", "error"]
            pool = ExecutorProcessPool(
                settings: ExecutorProcessSettings(
                    executable: executable, arguments: arguments, processes: 1,
                    maximumJobsPerProcess: jobsPerProcess, killGrace: .seconds(1)),
                logger: logger)
        }

        static let scriptedChildren = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/executor-process")

        deinit {
            pool.shutdown()
        }

        func executor(_ type: String) throws -> LoadedExecutor {
            try #require(registry.executor(for: type))
        }

        /// `startedFile`: made by the job when it starts.
        func echo(_ message: String, sleepMS: Int = 0, startedFile: String? = nil) throws -> ExecutorLane.Job {
            var parameters: [String: JSONValue] = ["message": .string(message), "sleep_ms": .integer(Int64(sleepMS))]
            if let startedFile { parameters["started_file"] = .string(startedFile) }
            return ExecutorLane.Job(
                executor: try executor("fixture_echo"),
                request: ExecutionRequest(jobID: "job-\(message)", parameters: .object(parameters)))
        }
    }

    /// Runs `job` through `lane`; returns its status, what it echoed and what it logged.
    static func run(
        _ lane: ExecutorLane, _ job: ExecutorLane.Job, ahead: ExecutorLane.Job? = nil,
        cancellation: CancellationToken = CancellationToken(), stillRunning: () -> Void = {},
        withdrawn: () -> Void = {}
    ) -> String {
        let lines = Lines()
        let outcome = lane.run(
            job.executor, job.request, sendingAhead: ahead, observer: lines, cancellation: cancellation,
            stillRunning: stillRunning, withdrawn: withdrawn)
        let echoed = outcome.result?["echo"]?.stringValue.map { " \($0)" } ?? ""
        return "\(outcome.status.rawValue)\(echoed) \(lines.all)"
    }

    @Test(
        "a withdraw the child answers only after the job before ended: the job was not started, and is sent again to the same process"
    )
    func withdrawnBetweenJobs() async throws {
        let setup = try Setup(script: "withdrawn-between-jobs.py")
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let (a, b) = (try setup.echo("a"), try setup.echo("b"))
            var asked = false
            var toldWithdrawn = false
            let first = Self.run(
                lane, a, ahead: b, stillRunning: { if !asked { asked = lane.withdrawAhead() } },
                withdrawn: { toldWithdrawn = true })
            let pid = try #require(lane.heldProcessID, "the process was not kept for the job sent ahead")
            let stillAhead = lane.hasSentAhead("job-b")
            let second = Self.run(lane, b)
            // Both ran in the process kept for the job sent ahead.
            return [first, "\(asked)", "\(toldWithdrawn)", "\(stillAhead)", second, "\(lane.heldProcessID == nil)"]
                .map { $0.replacingOccurrences(of: " in \(pid) ", with: " in the same process ") }
        }
        #expect(
            results == [
                "succeeded job-a in the same process []", "true", "false", "true",
                "succeeded job-b in the same process []", "true",
            ])
    }

    @Test("a job sent ahead runs right after the one before it, each job's log and result its own")
    func sentAheadRunsNext() async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let (a, b, c) = (try setup.echo("a", sleepMS: 100), try setup.echo("b"), try setup.echo("c"))
            return [
                Self.run(lane, a, ahead: b), "\(lane.hasSentAhead("job-b"))", Self.run(lane, b, ahead: c),
                Self.run(lane, c), "\(lane.hasSentAhead("job-c"))",
            ]
        }
        #expect(
            results == [
                "succeeded a [\"echo: a\"]", "true", "succeeded b [\"echo: b\"]", "succeeded c [\"echo: c\"]", "false",
            ])
    }

    @Test("a job sent ahead of one that runs long is withdrawn before it starts, and never runs in that process")
    func withdrawnBehindALongJob() async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            var withdrawals = 0
            let long = Self.run(
                lane, try setup.echo("long", sleepMS: 600), ahead: try setup.echo("b"),
                stillRunning: { lane.withdrawAhead() }, withdrawn: { withdrawals += 1 })
            // Had b run after all, its outcome would be read as c's.
            return [long, "\(withdrawals)", "\(lane.hasSentAhead("job-b"))", Self.run(lane, try setup.echo("c"))]
        }
        #expect(results == ["succeeded long [\"echo: long\"]", "1", "false", "succeeded c [\"echo: c\"]"])
    }

    @Test("a withdraw that comes after the job ahead started leaves it to run, its events kept for its turn")
    func withdrawTooLate() async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let started = FileManager.default.temporaryDirectory
                .appendingPathComponent("started-\(UUID().uuidString)").path
            defer { unlink(started) }
            let a = Self.run(lane, try setup.echo("a"), ahead: try setup.echo("b", startedFile: started))
            // b runs at once behind a: the withdraw comes once it has started and, as a rule, also
            // logged and ended, so its events wait for its turn.
            for _ in 0..<6000 where !FileManager.default.fileExists(atPath: started) { usleep(10_000) }
            usleep(100_000)
            let withdrawn = lane.withdrawAheadNow()
            return [a, "\(withdrawn)", Self.run(lane, try setup.echo("b")), Self.run(lane, try setup.echo("c"))]
        }
        #expect(
            results == [
                "succeeded a [\"echo: a\"]", "false", "succeeded b [\"echo: b\"]", "succeeded c [\"echo: c\"]",
            ])
    }

    /// Waits until every thread of process `pid` is stopped (by SIGSTOP).
    static func waitUntilStopped(_ pid: Int32) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            let states = threads.compactMap { thread -> Substring? in
                // The state follows the command name, which is in parentheses.
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { return nil }
                return stat[close...].dropFirst(2).prefix(1)
            }
            if !states.isEmpty, states.count == threads.count, states.allSatisfy({ $0 == "T" }) { return }
            usleep(1_000)
        }
        Issue.record("process \(pid) did not stop")
    }

    @Test(
        "between jobs, withdrawing the job sent ahead from a process that died or stopped answering gives it up: the process is replaced",
        arguments: [SIGKILL, SIGSTOP])
    func withdrawNowFromALostProcess(signal: Int32) async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let a = Self.run(lane, try setup.echo("a"), ahead: try setup.echo("b", sleepMS: 5_000))
            let held = try #require(lane.heldProcessID)
            kill(held, signal)
            // A signal is delivered a moment after kill returns: a process still running would
            // answer the withdraw.
            if signal == SIGSTOP { try Self.waitUntilStopped(held) }
            let started = ContinuousClock.now
            let withdrawn = lane.withdrawAheadNow()
            // A stopped process gets the withdraw's patience (a second here), then is killed.
            let waited = ContinuousClock.now - started
            let gone = kill(held, 0) == -1 && errno == ESRCH
            let c = Self.run(lane, try setup.echo("c"))
            return [
                a, "\(withdrawn)", "\(lane.hasSentAhead("job-b"))", "\(lane.heldProcessID == nil)", "\(gone)",
                "\(waited < .seconds(4))", c,
            ]
        }
        #expect(
            results == [
                "succeeded a [\"echo: a\"]", "true", "false", "true", "true", "true", "succeeded c [\"echo: c\"]",
            ])
    }

    @Test("a process that dies with a job sent ahead: that job never started, and runs in a fresh process")
    func crashWithAJobAhead() async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let segfault = ExecutorLane.Job(
                executor: try setup.executor("fixture_segfault"), request: ExecutionRequest(jobID: "job-segfault"))
            return [
                Self.run(lane, segfault, ahead: try setup.echo("b")), "\(lane.hasSentAhead("job-b"))",
                Self.run(lane, try setup.echo("b")),
            ]
        }
        #expect(
            results == ["crashed [\"about to write through a NULL pointer\"]", "false", "succeeded b [\"echo: b\"]"])
    }

    @Test("a job sent ahead and then cancelled is cancelled in its process, and nothing of it is left behind")
    func cancelledWhileAhead() async throws {
        let setup = try Setup()
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let cancelled = CancellationToken()
            let a = Self.run(lane, try setup.echo("a", sleepMS: 200), ahead: try setup.echo("b", sleepMS: 5_000))
            cancelled.cancel()
            return [
                a, Self.run(lane, try setup.echo("b", sleepMS: 5_000), cancellation: cancelled),
                Self.run(lane, try setup.echo("c")),
            ]
        }
        #expect(results == ["succeeded a [\"echo: a\"]", "cancelled []", "succeeded c [\"echo: c\"]"])
    }

    @Test("a process at its job limit with a job sent ahead runs that job, is sent no more, and is replaced")
    func jobLimitWithAJobAhead() async throws {
        let setup = try Setup(jobsPerProcess: 2)
        let results = try await OwnThread.run { () throws -> [String] in
            let lane = ExecutorLane(pool: setup.pool)
            defer { lane.close() }
            let (a, b, c, d) = (try setup.echo("a"), try setup.echo("b"), try setup.echo("c"), try setup.echo("d"))
            return [
                Self.run(lane, a, ahead: b), Self.run(lane, b, ahead: c), Self.run(lane, c, ahead: d),
                "\(lane.hasSentAhead("job-d"))", Self.run(lane, d),
            ]
        }
        #expect(
            results == [
                "succeeded a [\"echo: a\"]", "succeeded b [\"echo: b\"]", "succeeded c [\"echo: c\"]", "false",
                "succeeded d [\"echo: d\"]",
            ])
    }
}
