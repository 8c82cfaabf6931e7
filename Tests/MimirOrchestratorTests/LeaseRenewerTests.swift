import Foundation
import Logging
import MimirPluginHost
import MimirRedis
import MimirTestSupport
import Testing

@testable import MimirQueue
@testable import MimirWorker

/// The worker's one clock for running jobs' leases, against a real Redis: what a renewal carries,
/// and when it stops the job it renews.
@Suite("Lease renewer")
struct LeaseRenewerTests {
    /// A queue on its own namespace, one job taken by worker `w`, and a renewer ticking every 50 ms
    /// as `renewerWorkerID` until the test ends.
    struct Setup {
        let queue: JobQueue
        let job: JobRecord
        let renewer: LeaseRenewer
        let stopping: CancellationToken
        let ticking: Task<Void, Never>

        static func make(renewerWorkerID: String = "w", redisURL: String? = nil) async throws -> Setup {
            let queue = try await SharedRedis.queue(
                namespace: "renew-\(UUID().uuidString.prefix(8))", url: redisURL, leaseDuration: .seconds(10))
            try await queue.prepare()
            guard
                case .created = try await queue.submit(
                    NewJob(type: "ml_training", priority: 5, maxAttempts: 3, spec: [:])),
                let job = try await queue.take(workerID: "w", types: ["ml_training"])
            else { throw SetupFailure() }
            let stopping = CancellationToken()
            let renewer = LeaseRenewer(
                queue: queue, workerID: renewerWorkerID, interval: .milliseconds(50), stopping: stopping,
                logger: SharedRedis.quietLogger)
            return Setup(
                queue: queue, job: job, renewer: renewer, stopping: stopping, ticking: Task { await renewer.run() })
        }

        func attempt() -> LeaseRenewer.Attempt {
            LeaseRenewer.Attempt(jobID: job.id, reporter: AttemptReporter(), cancellation: CancellationToken())
        }
    }

    struct SetupFailure: Error {}

    /// `end` sleeps its thread while a renewal of the attempt is in flight, and renewals run on
    /// Swift's cooperative pool (two threads here): called from a test's own task it held a pool
    /// thread, and two such tests at once held both, so the renewals they waited for never ran
    /// and the whole test run hung. A slot calls it from a thread of its own; so do the tests.
    static func end(_ attempt: LeaseRenewer.Attempt, on renewer: LeaseRenewer) async throws {
        try await OwnThread.run { renewer.end(attempt) }
    }

    /// Polls `condition` every 20 ms for up to 5 s.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<250 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test("a renewal takes the job's progress and new log lines to the queue and extends its lease")
    func renewalCarriesReports() async throws {
        let setup = try await Setup.make()
        defer { setup.ticking.cancel() }
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        let leasedUntil = try #require(setup.job.leaseExpiresAt)
        try await Task.sleep(for: .milliseconds(20))  // So a renewed lease ends later than the take's.
        attempt.reporter.executorLogged(.info, "loaded 150 rows")
        attempt.reporter.executorProgressed(0.5, "half way")
        #expect(try await Self.eventually { try await setup.queue.job(setup.job.id).progress == 0.5 })
        let renewed = try await setup.queue.job(setup.job.id)
        #expect(renewed.progressMessage == "half way" && renewed.status == .running)
        #expect((renewed.leaseExpiresAt ?? 0) > leasedUntil)
        #expect(try await setup.queue.logs(setup.job.id).map(\.message) == ["loaded 150 rows"])
        #expect(!attempt.cancellation.isCancelled)
        try await Self.end(attempt, on: setup.renewer)
    }

    @Test(
        "ending an attempt leaves a later attempt of the same job on the clock (given back, then taken by another slot)"
    )
    func endLeavesLaterAttempt() async throws {
        let setup = try await Setup.make()
        defer { setup.ticking.cancel() }
        let givenBack = setup.attempt()
        setup.renewer.register(givenBack)
        // Another slot of this worker takes the job again before the first slot ends its attempt.
        let retaken = setup.attempt()
        setup.renewer.register(retaken)
        try await Self.end(givenBack, on: setup.renewer)
        retaken.reporter.executorProgressed(0.5, "the other slot's")
        #expect(try await Self.eventually { try await setup.queue.job(setup.job.id).progress == 0.5 })
        #expect(try await setup.queue.job(setup.job.id).progressMessage == "the other slot's")
        try await Self.end(retaken, on: setup.renewer)
    }

    @Test(
        "a held end's lines that a failed renewal put back are handed to the end when the slot takes it off the clock"
    )
    func heldEndGivesUpPutBackLines() async throws {
        let setup = try await Setup.make()
        setup.ticking.cancel()  // No renewal delivers the line first.
        let renewer = setup.renewer
        let left = try await OwnThread.run { () -> [(jobID: String, lines: [LogLine])] in
            // A slot's, on the slot's own thread.
            let attempts = SlotAttempts(renewer: renewer)
            let attempt = attempts.start(setup.job)
            attempts.hold(attempt)
            // As a renewal that could not deliver it does, after the end took the attempt's lines.
            attempt.reporter.executorLogged(.info, "put back")
            return attempts.endHeld()
        }
        #expect(left.map(\.jobID) == [setup.job.id])
        #expect(left.flatMap(\.lines).map(\.message) == ["put back"])
    }

    @Test(
        "lines and progress a renewal cannot deliver (Redis out of memory) go with a later one, each line once and in order"
    )
    func undeliveredReportsKept() async throws {
        // A Redis of its own: this one runs out of memory.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let setup = try await Setup.make(redisURL: server.url)
        defer { setup.ticking.cancel() }
        let admin = RedisClient(configuration: try RedisConfiguration(url: server.url), poolSize: 1)
        _ = try await admin.execute(["CONFIG", "SET", "maxmemory", "1"])
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        attempt.reporter.executorLogged(.info, "during the outage")
        attempt.reporter.executorProgressed(0.25, "a quarter")
        // Renewals take them and fail; the next line arrives meanwhile.
        try await Task.sleep(for: .milliseconds(300))
        attempt.reporter.executorLogged(.info, "still in it")
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await setup.queue.logs(setup.job.id).isEmpty)
        _ = try await admin.execute(["CONFIG", "SET", "maxmemory", "0"])
        // A renewal delivers its lines, then its progress, in two calls: wait for both.
        #expect(try await Self.eventually { try await setup.queue.logs(setup.job.id).count >= 2 })
        #expect(try await Self.eventually { try await setup.queue.job(setup.job.id).progress == 0.25 })
        #expect(try await setup.queue.logs(setup.job.id).map(\.message) == ["during the outage", "still in it"])
        let job = try await setup.queue.job(setup.job.id)
        #expect(job.progress == 0.25 && job.progressMessage == "a quarter" && job.status == .running)
        #expect(!attempt.cancellation.isCancelled, "an outage is not a lost lease")
        try await Self.end(attempt, on: setup.renewer)
    }

    @Test("a renewal whose lines went in but whose heartbeat was refused sends only its progress again")
    func deliveredLinesNotResent() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let setup = try await Setup.make(redisURL: server.url)
        defer { setup.ticking.cancel() }
        // mimir_heartbeat answers as Redis does when out of memory; mimir_log works.
        let refusing = try #require(
            RefusingFunction.library(QueueFunctions.library, refusing: "mimir_heartbeat"))
        let admin = RedisClient(configuration: try RedisConfiguration(url: server.url), poolSize: 1)
        _ = try await admin.execute(["FUNCTION", "LOAD", "REPLACE", refusing])
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        attempt.reporter.executorLogged(.info, "once")
        attempt.reporter.executorProgressed(0.75, "most of it")
        #expect(try await Self.eventually { try await setup.queue.logs(setup.job.id).count == 1 })
        try await Task.sleep(for: .milliseconds(200))  // Four more refused heartbeats.
        _ = try await admin.execute(QueueFunctions.loadCommand)
        #expect(try await Self.eventually { try await setup.queue.job(setup.job.id).progress == 0.75 })
        #expect(try await setup.queue.job(setup.job.id).progressMessage == "most of it")
        #expect(try await setup.queue.logs(setup.job.id).map(\.message) == ["once"])
        try await Self.end(attempt, on: setup.renewer)
    }

    @Test("after end, the job is off the clock: later lines stay with the slot for its report")
    func endStopsRenewals() async throws {
        let setup = try await Setup.make()
        defer { setup.ticking.cancel() }
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        attempt.reporter.executorLogged(.info, "first")
        #expect(try await Self.eventually { try await setup.queue.logs(setup.job.id).count == 1 })
        try await Self.end(attempt, on: setup.renewer)
        attempt.reporter.executorLogged(.info, "second")
        try await Task.sleep(for: .milliseconds(300))  // Six ticks.
        #expect(try await setup.queue.logs(setup.job.id).map(\.message) == ["first"])
        #expect(attempt.reporter.drain().lines.map(\.message) == ["second"])
    }

    @Test("end waits for a renewal in flight, so the lines it carries land before the slot reports")
    func endWaitsForRenewalInFlight() async throws {
        // A Redis of its own: pausing its writes must not hold up other tests.
        let server = try await RedisServer.start()
        let setup = try await Setup.make(redisURL: server.url)
        defer { setup.ticking.cancel() }
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        let admin = RedisClient(configuration: try RedisConfiguration(url: server.url), poolSize: 1)
        // Writes (the renewal's log append) wait 1.5 s; reads (the check below) go through.
        _ = try await admin.execute(["CLIENT", "PAUSE", "1500", "WRITE"])
        attempt.reporter.executorLogged(.info, "last words")
        // The next tick takes the line and then waits on the paused server.
        #expect(try await Self.eventually { attempt.reporter.isDrained })
        let renewer = setup.renewer
        try await OwnThread.run { renewer.end(attempt) }
        // On the admin's connection: the queue's own would wait behind the renewal's paused call.
        let stored = try await admin.execute(["LLEN", "\(setup.queue.configuration.namespace):logs:\(setup.job.id)"])
        #expect(stored.int == 1, "end returned before the renewal's lines were stored")
        await admin.shutdown()
        await server.stop()
    }

    @Test("a cancel requested through the queue cancels the running executor at the next renewal")
    func cancelRequest() async throws {
        let setup = try await Setup.make()
        defer { setup.ticking.cancel() }
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        try await Task.sleep(for: .milliseconds(150))
        #expect(!attempt.cancellation.isCancelled)
        _ = try await setup.queue.cancel(setup.job.id)
        #expect(try await Self.eventually { attempt.cancellation.isCancelled })
        try await Self.end(attempt, on: setup.renewer)
    }

    @Test("a lease held by another worker stops the job here")
    func lostLease() async throws {
        let setup = try await Setup.make(renewerWorkerID: "not-w")
        defer { setup.ticking.cancel() }
        let attempt = setup.attempt()
        setup.renewer.register(attempt)
        #expect(try await Self.eventually { attempt.cancellation.isCancelled })
        // The lease is still w's: the intruder's renewals changed nothing.
        #expect(try await setup.queue.job(setup.job.id).workerID == "w")
        try await Self.end(attempt, on: setup.renewer)
    }

    @Test("once the worker is stopping, running jobs are cancelled and new ones at once")
    func stopping() async throws {
        let setup = try await Setup.make()
        defer { setup.ticking.cancel() }
        let running = setup.attempt()
        setup.renewer.register(running)
        try await Task.sleep(for: .milliseconds(120))
        #expect(!running.cancellation.isCancelled)
        setup.stopping.cancel()
        #expect(try await Self.eventually { running.cancellation.isCancelled })
        let late = setup.attempt()
        setup.renewer.register(late)
        #expect(late.cancellation.isCancelled)
        try await Self.end(running, on: setup.renewer)
        try await Self.end(late, on: setup.renewer)
    }
}
