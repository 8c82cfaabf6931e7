import Dispatch
import MimirCore
import MimirRedis
import MimirTestSupport
import Synchronization
import Testing

@testable import MimirQueue

#if canImport(Glibc)
    import Glibc
#endif

/// `QueueSession` is a worker slot's blocking way to the queue; each test uses one on a thread of
/// its own, as a slot does.
@Suite("A worker slot's session with the queue")
struct QueueSessionTests {
    static let offer = WorkerOffer(
        executorVersions: ["ml_training": SemanticVersion(major: 1, minor: 0, patch: 0)], gpus: 0, cpuMillicores: 1000,
        memoryBytes: 1 << 30)

    @Test("a waiting slot wakes when a job of its type is submitted, not for other types, and takes it at once")
    func wakesOnSubmit() async throws {
        // A Redis of its own: the test counts its blocked clients.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let queue = harness.queue
        // What the wait took, as the slot's next take answers.
        let wait: @Sendable (Duration) async throws -> JobRecord? = { timeout in
            try await OwnThread.run {
                let session = QueueSession(queue: queue, types: ["ml_training"])
                let took = try session.waitForWork(upTo: timeout, thenTakeFor: Self.offer, workerID: "w-1")
                let job = try session.take(workerID: "w-1", offer: Self.offer)
                #expect(took == (job != nil))
                return job
            }
        }
        #expect(try await wait(.milliseconds(50)) == nil)

        try await harness.submit("ml_inference")
        #expect(try await wait(.milliseconds(50)) == nil, "another type's job wakes no one here")

        // Blocked first, then the job arrives: the wait ends with a token, long before its
        // timeout, and the take behind it leases the job.
        let waiting = Task { try await wait(.seconds(30)) }
        // Once the slot is blocked in its wait (a loaded machine may take a while to get there):
        // the job comes a second later.
        var polls = 0
        while try await Self.blockedClients(harness) == 0, polls < 1_000 {
            polls += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await Self.blockedClients(harness) == 1)
        try await Task.sleep(for: .seconds(1))
        let submitted = try await harness.submit("ml_training")
        let job = try #require(try await waiting.value)
        #expect(job.id == submitted.id && job.status == .running && job.workerID == "w-1")
        // The queue's clock stood still: the take's time is the wait's start plus the wait as
        // Redis saw it (the take ran when the job came, not when the slot began waiting). Half
        // a second of slack: the worker's estimate of Redis' clock may be off by half the round
        // trip it measured it with.
        let started = try #require(job.startedAt)
        #expect((500..<30_000).contains(started - job.createdAt), "started \(started - job.createdAt) ms in")
        #expect(job.leaseExpiresAt == started + harness.queue.configuration.leaseDuration.milliseconds)
        #expect(try await wait(.milliseconds(50)) == nil, "one token per job made ready")
    }

    @Test("a slot's take that runs past its patience (Redis stalled beyond any wait) takes nothing")
    func wokenTakePastPatience() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        let queue = harness.queue
        let serverNow = try await Self.redisMicroseconds(harness)
        let take = try #require(queue.takeArguments(workerID: "w-1", offer: Self.offer))
        // Sent 10 s ago as Redis' clock goes, with 1 s of patience: the slot may be gone.
        let late = queue.command(.takePatient, [String(serverNow - 10_000_000), "1000"] + take)
        do {
            let reply = try await harness.redis.execute(late)
            Issue.record("a late take answered \(reply)")
        } catch {
            #expect(error.serverMessage.map(QueueFunctions.isLate) == true, "\(error)")
            #expect(error.serverMessage?.hasSuffix(" 1000") == true, "names the patience: \(error)")
        }
        #expect(try await queue.job(submitted.id).status == .queued)
        // Sent just now, with a minute of patience (a loaded machine may take seconds between
        // the TIME and the call): taken, its time the queue's clock plus what passed.
        let timely = queue.command(.takePatient, [String(try await Self.redisMicroseconds(harness)), "60000"] + take)
        let fields = try await harness.redis.execute(timely).array ?? []
        #expect(fields.count > 2)
        let job = try await queue.job(submitted.id)
        #expect(job.status == .running && job.workerID == "w-1")
        #expect((0..<60_000).contains((job.startedAt ?? -1) - harness.clock.nowMilliseconds()))
    }

    @Test("the take the release before sent behind its wait still works: Redis' time in ms, nil when late")
    func previousReleaseWokenTake() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        let queue = harness.queue
        let take = try #require(queue.takeArguments(workerID: "w-1", offer: Self.offer))
        func woken(sentMilliseconds: Int64, patience: String) -> [String] {
            var command = queue.command(.takePatient, [String(sentMilliseconds), patience] + take)
            command[1] = "mimir_take_woken"
            return command
        }
        let serverNow = try await Self.redisMicroseconds(harness) / 1000
        #expect(try await harness.redis.execute(woken(sentMilliseconds: serverNow - 10_000, patience: "1000")).isNull)
        #expect(try await queue.job(submitted.id).status == .queued)
        let reply = try await harness.redis.execute(woken(sentMilliseconds: serverNow, patience: "60000"))
        #expect((reply.array ?? []).count > 2, "\(reply)")
        let job = try await queue.job(submitted.id)
        #expect(
            job.status == .running && (0..<60_000).contains((job.startedAt ?? -1) - harness.clock.nowMilliseconds()))
    }

    /// Redis' clock, in microseconds.
    static func redisMicroseconds(_ harness: QueueHarness) async throws -> Int64 {
        let time = try #require(try await harness.redis.execute(["TIME"]).array?.compactMap(\.string))
        return try #require(Int64(time[0])) * 1_000_000 + (try #require(Int64(time[1])))
    }

    /// What a slot sends while Redis stalls.
    enum StalledCall: String, CaseIterable, Sendable {
        /// A wait for work, with the take behind it.
        case wait
        /// A plain take.
        case take
        /// A report's takes along (the take and the take-many).
        case report
    }

    @Test(
        "Redis stalled past a slot's timeout: the takes it sent lease nothing to the slot gone",
        arguments: StalledCall.allCases)
    func stallPastTimeout(_ call: StalledCall) async throws {
        // A Redis of its own: the test freezes it, longer than it would allow others.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        // Every command logged: the test checks that the takes did reach Redis.
        _ = try await harness.redis.execute(["CONFIG", "SET", "slowlog-log-slower-than", "0"])
        let impatient = harness.queue(commandTimeout: .milliseconds(200))
        let stage = Stage()
        let waiting = Task {
            try await OwnThread.run { () throws -> String in
                let session = QueueSession(queue: impatient, types: ["ml_training"])
                // A first take, with nothing to take, measures Redis' clock on this connection.
                _ = try session.take(workerID: "w-1", offer: Self.offer)
                stage.value.store(1, ordering: .sequentiallyConsistent)
                while stage.value.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
                // Sent while Redis is frozen: the socket gives up after 0.2 s (2.2 s for the wait);
                // Redis reads the call when the stall ends (for the wait, waits its 2 s), then
                // runs the takes.
                let answer: String
                do {
                    switch call {
                    case .wait:
                        answer =
                            "\(try session.waitForWork(upTo: .seconds(2), thenTakeFor: Self.offer, workerID: "w-1"))"
                    case .take:
                        answer = "\(String(describing: try session.take(workerID: "w-1", offer: Self.offer)))"
                    case .report:
                        answer = "\(try session.report(workerID: "w-1", takes: 3, offer: Self.offer))"
                    }
                } catch {
                    answer = "\(error)"
                }
                // The connection stays open, as between a slot's failed call and its next one,
                // until the stall and any wait behind it are over.
                while stage.value.load(ordering: .sequentiallyConsistent) < 3 { usleep(1_000) }
                return answer
            }
        }
        while stage.value.load(ordering: .sequentiallyConsistent) < 1 { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await harness.redis.execute(["SLOWLOG", "RESET"])
        // Jobs ready without a token (as when their tokens went to a worker that cannot serve
        // them): the wait blocks although the take behind it would find them.
        let submitted = [try await harness.submit(), try await harness.submit()]
        _ = try await harness.redis.execute(["DEL", "\(harness.queue.configuration.namespace):wake:ml_training"])
        // Frozen (SIGSTOP), not busy with a script: a script spins a core for its 6 s, which on
        // two cores starves every other test of the run.
        try await server.freeze(for: .seconds(6)) { stage.value.store(2, ordering: .sequentiallyConsistent) }
        try await Task.sleep(for: .seconds(3))
        stage.value.store(3, ordering: .sequentiallyConsistent)
        let answer = try await waiting.value
        #expect(answer.contains("unavailable"), "the slot gave up on its reply: \(answer)")
        // The takes ran, unless the slot measured Redis' clock again first (its reading was
        // imprecise: a loaded machine), which the stall made it give up on before sending them.
        let log = try await harness.redis.execute(["SLOWLOG", "GET", "1000"])
        if !Self.slotCommands(log).contains("TIME") {
            #expect("\(log)".contains("mimir_take_patient"), "\(log)")
        }
        for job in submitted {
            let now = try await harness.queue.job(job.id)
            #expect(now.status == .queued, "leased to a slot that had given up: \(now.workerID ?? "")")
        }
    }

    /// Two jobs taken by w-1 and ended (ids[0] succeeded with `lines`, ids[1] failed for good) in
    /// a report sent while Redis is frozen: the slot gives up on its answer after 0.2 s, and Redis
    /// runs it when it wakes. Then `meanwhile` runs, and the slot reports again. Returns the first
    /// report's error, the second's answers, and the takes' `started_at` the ends knew (nil unless
    /// `taken`).
    static func endsAnsweredTooLate(
        lines: [LogLine] = [], taken: Bool = false,
        meanwhile: (QueueHarness, [String]) async throws -> Void
    ) async throws -> (
        harness: QueueHarness, ids: [String], first: String, answers: [QueueSession.FinishAnswer], started: [Int64?]
    ) {
        // A Redis of its own: the test freezes it.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let impatient = harness.queue(commandTimeout: .milliseconds(200))
        var started: [Int64?] = [nil, nil]
        if taken {
            started = [try await harness.queue.job(ids[0]).startedAt, try await harness.queue.job(ids[1]).startedAt]
        }
        let startedAt = started
        let stage = Stage()
        let reporting = Task {
            try await OwnThread.run { () throws -> (String, [QueueSession.FinishAnswer]) in
                let session = QueueSession(queue: impatient, types: ["ml_training"])
                // Connected before Redis stalls (nothing to take).
                _ = try session.take(workerID: "w-1", offer: Self.offer)
                stage.value.store(1, ordering: .sequentiallyConsistent)
                while stage.value.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
                session.finishLater(
                    jobID: ids[0], workerID: "w-1", outcome: .succeeded(result: nil), lines: lines, attempt: 1,
                    startedAt: startedAt[0])
                session.finishLater(
                    jobID: ids[1], workerID: "w-1",
                    outcome: .failed(message: "bad input", kind: .invalidInput, retryable: false), lines: [],
                    attempt: 1, startedAt: startedAt[1])
                // Sent while Redis is frozen: the socket gives up after 0.2 s; Redis reads and
                // runs the report when it wakes.
                var first = "answered"
                do {
                    _ = try session.report(workerID: "w-1")
                } catch {
                    first = "\(error)"
                }
                while stage.value.load(ordering: .sequentiallyConsistent) < 3 { usleep(1_000) }
                return (first, try session.report(workerID: "w-1"))
            }
        }
        while stage.value.load(ordering: .sequentiallyConsistent) < 1 { try await Task.sleep(for: .milliseconds(5)) }
        // Frozen (SIGSTOP) rather than busy with a script: at once, however loaded the machine.
        server.freeze()
        stage.value.store(2, ordering: .sequentiallyConsistent)
        try await Task.sleep(for: .seconds(1))
        server.thaw()
        // Both ends went in when Redis woke.
        let giveUp = ContinuousClock.now + .seconds(60)
        while try await harness.queue.job(ids[1]).status != .failed, ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await meanwhile(harness, ids)
        stage.value.store(3, ordering: .sequentiallyConsistent)
        let (first, answers) = try await reporting.value
        return (harness, ids, first, answers, startedAt)
    }

    @Test(
        "ends that went in with a report Redis answered too late are answered as such when sent again; one whose job moved on since stays refused"
    )
    func endsOfAnUnansweredReport() async throws {
        let line = LogLine(time: 1_700_000_000_000, level: "info", message: "last line")
        let (harness, ids, first, answers, _) = try await Self.endsAnsweredTooLate(lines: [line]) { harness, ids in
            #expect(try await harness.queue.job(ids[0]).status == .succeeded)
            _ = try await harness.queue.retry(ids[1])
        }
        #expect(first.contains("unavailable"), "the slot gave up on the first report's answer: \(first)")
        #expect(Self.described(answers) == ["succeeded", "refused: job \(ids[1]) cannot move from queued to failed"])
        #expect(answers.map(\.wentInBefore) == [true, false])
        #expect(answers[0].logsRefused == nil, "the lines went in with the end")
        #expect(try await harness.queue.logs(ids[0]).map(\.message) == ["last line"])
    }

    @Test(
        "an end that went in with a report answered too late, whose job this worker has taken again since, is not sent again: it would end the new attempt"
    )
    func endOfAnUnansweredReportSparesALaterAttempt() async throws {
        let again = Mutex<JobRecord?>(nil)
        let (harness, ids, first, answers, started) = try await Self.endsAnsweredTooLate(taken: true) {
            harness, ids in
            // The failed job is retried (its attempts counted from 0 again), and another slot of
            // the same worker takes it: attempt 1 again, started later.
            harness.clock.advance(by: .seconds(1))
            _ = try await harness.queue.retry(ids[1])
            let taken = try await harness.queue.take(workerID: "w-1", types: ["ml_training"])
            again.withLock { $0 = taken }
        }
        let retaken = try #require(again.withLock { $0 })
        #expect(first.contains("unavailable"), "the slot gave up on the first report's answer: \(first)")
        #expect(retaken.id == ids[1] && retaken.attempts == 1 && retaken.startedAt != started[1])
        let take = { (started: Int64?) in EndClaim.take(by: "w-1", attempt: 1, startedAt: started) }
        #expect(
            Self.described(answers) == [
                "refused: job \(ids[1]) is leased by worker \(take(retaken.startedAt)), not \(take(started[1]))",
                "succeeded",
            ])
        #expect(answers.map(\.wentInBefore) == [false, true])
        let running = try await harness.queue.job(ids[1])
        #expect(running.status == .running && running.startedAt == retaken.startedAt, "\(running)")
    }

    /// How a hand-back sent while Redis is frozen ends for the slot.
    enum StalledHandBack: CaseIterable, Sendable {
        /// The slot's socket gives up first (0.2 s; Redis frozen 3 s).
        case givenUp
        /// Redis runs it past its patience (half the socket's timeout: 2 s) but answers before the
        /// socket gives up (4 s): frozen 3 s.
        case answeredLate

        var commandTimeout: Duration { self == .givenUp ? .milliseconds(200) : .seconds(4) }
        var frozen: Duration { .seconds(3) }
    }

    @Test(
        "a hand-back Redis runs past the slot's patience gives nothing back: the jobs stay the slot's, to run there",
        arguments: StalledHandBack.allCases)
    func handBackPastPatience(_ stalled: StalledHandBack) async throws {
        // A Redis of its own: the test freezes it.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        _ = try await harness.redis.execute(["CONFIG", "SET", "slowlog-log-slower-than", "0"])
        for _ in 0..<3 { try await harness.submit() }
        let impatient = harness.queue(commandTimeout: stalled.commandTimeout)
        let stage = Stage()
        let handing = Task {
            try await OwnThread.run { () throws -> (ahead: [String], answer: String, after: [String]) in
                let session = QueueSession(queue: impatient, types: ["ml_training"])
                let first = try #require(try session.take(workerID: "w-1", offer: Self.offer))
                session.finishLater(jobID: first.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
                _ = try session.report(workerID: "w-1", takes: 3, offer: Self.offer)
                let ahead = session.jobsAhead.map(\.id)
                stage.value.store(1, ordering: .sequentiallyConsistent)
                while stage.value.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
                let answer: String
                do {
                    answer = "given back \(try session.handBackJobsAhead(workerID: "w-1"))"
                } catch {
                    answer = "\(error)"
                }
                while stage.value.load(ordering: .sequentiallyConsistent) < 3 { usleep(1_000) }
                return (ahead, answer, session.jobsAhead.map(\.id))
            }
        }
        while stage.value.load(ordering: .sequentiallyConsistent) < 1 { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await harness.redis.execute(["SLOWLOG", "RESET"])
        // Frozen (SIGSTOP) rather than busy with a script: at once, however loaded the machine,
        // so the hand-back waits in Redis for most of the freeze.
        try await server.freeze(for: stalled.frozen) { stage.value.store(2, ordering: .sequentiallyConsistent) }
        try await Task.sleep(for: .milliseconds(1_500))
        stage.value.store(3, ordering: .sequentiallyConsistent)
        let (ahead, answer, after) = try await handing.value
        #expect(ahead.count == 2)
        let log = try await harness.redis.execute(["SLOWLOG", "GET", "1000"])
        if Self.slotCommands(log).contains("TIME") {
            // The slot measured Redis' clock again first (its reading was imprecise: a busy
            // machine), and that wait took the freeze: the hand-back went after it, in time, or
            // never (the socket gave up on TIME). Either way the answer tells the truth.
            if stalled == .answeredLate {
                #expect(answer == "given back \(ahead)" && after.isEmpty, "\(answer)")
                for id in ahead { #expect(try await harness.queue.job(id).status == .queued) }
                return
            }
            #expect(answer.contains("unavailable"), "\(answer)")
        } else {
            let handBacks = (log.array ?? []).filter { "\($0)".contains("mimir_hand_back_patient") }
            #expect(!handBacks.isEmpty, "the hand-back reached Redis: \(log)")
            switch stalled {
            case .givenUp: #expect(answer.contains("unavailable"), "\(answer)")
            case .answeredLate: #expect(answer == "given back []")
            }
        }
        // Still the slot's to run, here and in Redis.
        #expect(after == ahead)
        for id in ahead {
            let job = try await harness.queue.job(id)
            #expect(job.status == .running && job.workerID == "w-1" && job.attempts == 1, "\(job)")
        }
    }

    @Test("mimir_hand_back_patient past its patience is refused as LATE and gives nothing back; within it, gives back")
    func handBackPatience() async throws {
        let harness = try await QueueHarness.make()
        for _ in 0..<2 { try await harness.submit() }
        var taken: [String] = []
        for _ in 0..<2 {
            taken.append(try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"])).id)
        }
        func handBack(sentSecondsAgo: Int64) async throws -> RedisReply {
            // Redis' clock read right before: on a loaded machine the calls between take seconds.
            let redisNow = try await Self.redisMicroseconds(harness)
            return try await harness.redis.execute(
                [
                    "FCALL", "mimir_hand_back_patient", "0", harness.queue.configuration.namespace,
                    String(redisNow - sentSecondsAgo * 1_000_000), "2000", "w-1",
                    String(harness.clock.nowMilliseconds()), "3600",
                ] + taken)
        }
        // Sent 3 s ago (by Redis' clock), with a patience of 2 s: the slot has given up on it.
        do {
            let late = try await handBack(sentSecondsAgo: 3)
            Issue.record("a hand-back past its patience was answered \(late)")
        } catch let error as RedisError {
            #expect(error.kind == .server && error.reason.hasPrefix("LATE "), "\(error)")
        }
        for id in taken {
            let job = try await harness.queue.job(id)
            #expect(job.status == .running && job.workerID == "w-1", "\(job)")
        }
        _ = try await handBack(sentSecondsAgo: 0)
        for id in taken { #expect(try await harness.queue.job(id).status == .queued) }
    }

    @Test("a woken take's patience shrinks by what the slot's reading of Redis' clock may be off")
    func patienceLessUncertainty() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        // Every round trip between two readings of this clock looks 3 s long, so the offset is
        // known to within 1.5 s only: more than the 1 s wait and 0.1 s of patience left after it.
        let unsure = harness.queue(commandTimeout: .milliseconds(200), clock: SteppingClock())
        let took = try await OwnThread.run {
            try QueueSession(queue: unsure, types: ["ml_training"]).waitForWork(
                upTo: .seconds(1), thenTakeFor: Self.offer, workerID: "w-1")
        }
        #expect(!took, "a take Redis could not tell was in time was not made")
        #expect(try await harness.queue.job(submitted.id).status == .queued)
    }

    @Test(
        "a slot measures Redis' clock once for many takes (twice if the first was imprecise), and again after a take refused as late"
    )
    func clockMeasuredOnceThenAfterLate() async throws {
        // A Redis of its own: the test counts the commands it gets, and freezes it.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        for (name, value) in [
            ("slowlog-log-slower-than", "0"), ("slowlog-max-len", "10000"),
        ] {
            _ = try await harness.redis.execute(["CONFIG", "SET", name, value])
        }
        // A take's patience: half of this, less what the clock reading may be off by.
        let slot = harness.queue(commandTimeout: .seconds(4))
        let configuration = slot.redis.configuration
        let stage = Stage()
        let work = Task {
            try await OwnThread.run { () throws -> (found: Int, late: JobRecord?, after: JobRecord?, reads: [Int]) in
                let session = QueueSession(queue: slot, types: ["ml_training"])
                // Takes for 1.2 s: a first reading over 5 ms off (a loaded machine) is measured
                // again after a second, so the one kept for the late take below is precise.
                var found = 0
                var takes = 0
                let until = ContinuousClock.now + .milliseconds(1_200)
                while ContinuousClock.now < until {
                    if try session.take(workerID: "w-1", offer: Self.offer) != nil { found += 1 }
                    takes += 1
                    // A hundred takes or so: each leaves a few entries in the slow log, which keeps 10,000.
                    usleep(10_000)
                }
                let probe = try RedisConnection(configuration: configuration)
                // The slot's own TIMEs: those the functions call are logged as from client "?:0".
                func clockReads() throws -> Int {
                    let log = try probe.send(["SLOWLOG", "GET", "10000"]).array ?? []
                    return log.count { entry in
                        guard let fields = entry.array, fields.count > 4 else { return false }
                        return fields[3].array?.first?.string?.uppercased() == "TIME" && fields[4].string != "?:0"
                    }
                }
                let beforeStall = try clockReads()
                // Not logged over the stall: what the slot does after it is what counts.
                _ = try probe.send(["CONFIG", "SET", "slowlog-log-slower-than", "-1"])
                stage.value.store(1, ordering: .sequentiallyConsistent)
                // The test submits a job and freezes Redis.
                while stage.value.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
                let late = try session.take(workerID: "w-1", offer: Self.offer)
                _ = try probe.send(["CONFIG", "SET", "slowlog-log-slower-than", "0"])
                _ = try probe.send(["SLOWLOG", "RESET"])
                let after = try session.take(workerID: "w-1", offer: Self.offer)
                return (found, late, after, [beforeStall, try clockReads(), takes])
            }
        }
        while stage.value.load(ordering: .sequentiallyConsistent) < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let submitted = try await harness.submit()
        // Frozen for 3 s: a take sent early in it runs after more than its patience (at most
        // 2 s), and is answered before the slot's 4 s timeout.
        try await server.freeze(for: .seconds(3)) { stage.value.store(2, ordering: .sequentiallyConsistent) }
        let (found, late, after, reads) = try await work.value
        #expect(found == 0)
        #expect(reads[2] > 20 && (1...2).contains(reads[0]), "\(reads[2]) takes read Redis' clock \(reads[0]) times")
        #expect(late == nil, "a take past its patience took \(late?.id ?? "")")
        #expect(after?.id == submitted.id && after?.attempts == 1, "the next take: \(String(describing: after))")
        #expect(reads[1] == 1, "the take after the late one read Redis' clock \(reads[1]) times, not again")
    }

    @Test(
        "a take's started_at is never later than Redis' clock when the take ran, alone or in a report",
        arguments: [false, true])
    func startedNoLaterThanTheTake(slowTimeAnswers: Bool) async throws {
        let harness = try await QueueHarness.make()
        // With slow TIME answers, the slot reaches Redis through a proxy that holds back each
        // answer to TIME by 20 ms and nothing else: the slot, placing Redis' reading halfway
        // through the round trip, estimates Redis' clock 10 ms behind, and must allow for that.
        var proxy: DelayingProxy?
        var slotRedis = harness.redis
        if slowTimeAnswers {
            var configuration = harness.redis.configuration
            let held = try DelayingProxy(
                upstream: configuration.port, heldPrefix: Array("*2\r\n$10\r\n".utf8), delay: .milliseconds(20))
            proxy = held
            configuration.port = held.port
            slotRedis = RedisClient(configuration: configuration, poolSize: 1, logger: quietLogger)
        }
        defer { _ = proxy }
        // The slot on the wall clock, as a worker is: its takes' times are its readings plus what
        // Redis saw pass since it sent them, by its estimate of Redis' clock.
        let slot = JobQueue(
            redis: slotRedis, configuration: harness.queue.configuration, clock: SystemQueueClock(),
            logger: quietLogger)
        // Submitted on the wall clock too: a job's started_at is never before its created_at, and
        // the harness' clock is weeks ahead.
        let submitter = JobQueue(
            redis: harness.redis, configuration: harness.queue.configuration, clock: SystemQueueClock(),
            logger: quietLogger)
        for _ in 0..<300 {
            _ = try await submitter.submit(NewJob(type: "ml_training", priority: 5, maxAttempts: 3, spec: [:]))
        }
        let configuration = harness.redis.configuration
        let late = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: slot, types: ["ml_training"])
            let probe = try RedisConnection(configuration: configuration)
            // Redis' clock in ms, read after the take's answer came back: no earlier than the take.
            func redisAfter() throws -> Int64 {
                let parts = try probe.send(["TIME"]).array ?? []
                return (parts.first?.string.flatMap { Int64($0) } ?? 0) * 1000
                    + (parts.last?.string.flatMap { Int64($0) } ?? 0) / 1000
            }
            var late: [String] = []
            for round in 0..<100 {
                // Alternately a take alone and a report taking three along.
                let taken: [JobRecord]
                if round.isMultiple(of: 2) {
                    taken = try session.take(workerID: "w-1", offer: Self.offer).map { [$0] } ?? []
                } else {
                    _ = try session.report(workerID: "w-1", takes: 3, offer: Self.offer)
                    var along: [JobRecord] = []
                    for _ in 0..<3 {
                        if let job = try session.take(workerID: "w-1", offer: Self.offer) { along.append(job) }
                    }
                    taken = along
                }
                let bound = try redisAfter()
                for job in taken where (job.startedAt ?? 0) > bound {
                    late.append("\(job.id): started_at \(job.startedAt ?? 0) > \(bound)")
                }
            }
            return late
        }
        #expect(late.isEmpty, "\(late.count) takes dated after Redis ran them: \(late.prefix(5))")
    }

    @Test(
        "created_at <= started_at <= finished_at for every job, even with the submitter's clock ahead of the worker's")
    func timelineInOrderAcrossClocks() async throws {
        // The harness submits on its clock, weeks ahead of the wall clock the slot takes and ends
        // jobs on; the slot's takes are patient (they date a job by its own estimate of Redis' clock).
        let harness = try await QueueHarness.make()
        let slot = JobQueue(
            redis: harness.redis, configuration: harness.queue.configuration, clock: SystemQueueClock(),
            logger: quietLogger)
        var ids: [String] = []
        for _ in 0..<8 { ids.append(try await harness.submit().id) }
        let count = try await OwnThread.run { () throws -> Int in
            let session = QueueSession(queue: slot, types: ["ml_training"])
            var ended = 0
            // One take alone, then reports taking three along, each ending the job before.
            var held = try session.take(workerID: "w-1", offer: Self.offer)
            while let job = held {
                _ = try session.finish(
                    jobID: job.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [], thenTakeFor: Self.offer
                )
                ended += 1
                held = try session.take(workerID: "w-1", offer: Self.offer)
            }
            return ended
        }
        #expect(count == ids.count)
        for id in ids {
            let job = try await harness.queue.job(id)
            let created = job.createdAt
            let started = try #require(job.startedAt)
            let finished = try #require(job.finishedAt)
            #expect(job.status == .succeeded)
            #expect(created <= started && started <= finished, "\(id): \(created) / \(started) / \(finished)")
        }
    }

    /// The commands in a slow log sent by clients, by name: those the library's functions call
    /// are logged as from client "?:0".
    static func slotCommands(_ log: RedisReply) -> [String] {
        (log.array ?? []).compactMap { entry in
            guard let fields = entry.array, fields.count > 4, fields[4].string != "?:0" else { return nil }
            return fields[3].array?.first?.string?.uppercased()
        }
    }

    /// A clock that moves 3 s each time it is read.
    final class SteppingClock: QueueClock {
        private let now = Atomic<Int64>(1_800_000_000_000)

        func nowMilliseconds() -> Int64 { now.add(3_000, ordering: .relaxed).newValue }
    }

    /// Where a test and the thread it runs a slot's calls on are.
    final class Stage: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test("a wait whose take finds the functions gone loads them, and the next take gets the job")
    func waitReloadsLibrary() async throws {
        // A server of its own: flushing functions would disturb other tests.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let queue = harness.queue
        let submitted = try await harness.submit()
        _ = try await harness.redis.execute(["FUNCTION", "FLUSH"])
        let configuration = harness.redis.configuration
        let (took, loaded, job) = try await OwnThread.run { () throws -> (Bool, Bool, JobRecord?) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let took = try session.waitForWork(upTo: .seconds(5), thenTakeFor: Self.offer, workerID: "w-1")
            // Loaded by the wait itself, before any other call.
            let libraries = try RedisConnection(configuration: configuration).send(["FUNCTION", "LIST"])
            let loaded = !(libraries.array ?? []).isEmpty
            return (took, loaded, try session.take(workerID: "w-1", offer: Self.offer))
        }
        #expect(!took && loaded)
        #expect(job?.id == submitted.id)
    }

    /// How many clients Redis holds blocked (in a `BLPOP`).
    static func blockedClients(_ harness: QueueHarness) async throws -> Int {
        let info = try await harness.redis.execute(["INFO", "clients"]).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("blocked_clients:") }
        return line.flatMap { Int($0.dropFirst("blocked_clients:".count)) } ?? -1
    }

    @Test("wake-up tokens no one takes are capped at 1,024 per type")
    func tokensCapped() async throws {
        let harness = try await QueueHarness.make()
        let key = "\(harness.queue.configuration.namespace):wake:ml_training"
        for _ in 0..<1_030 { try await harness.submit() }
        #expect(try await harness.redis.execute(["LLEN", key]).int == 1_024)
        try await harness.submit("ml_inference")
        #expect(try await harness.redis.execute(["LLEN", key]).int == 1_024)
    }

    @Test("take, then finish with the last log lines: the lines land before the outcome, in order")
    func takeAndFinish() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        let queue = harness.queue
        let (taken, status) = try await OwnThread.run { () throws -> (JobRecord?, JobStatus?) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            guard let job = try session.take(workerID: "w-1", offer: Self.offer) else { return (nil, nil) }
            let lines = (0..<3).map {
                LogLine(time: 1_700_000_000_000 + Int64($0), level: "info", message: "line \($0)")
            }
            let status = try session.finish(
                jobID: job.id, workerID: "w-1", outcome: .succeeded(result: ["rows": 3]), lines: lines)
            return (job, status)
        }
        #expect(taken?.id == submitted.id && taken?.status == .running && taken?.workerID == "w-1")
        #expect(status == .succeeded)
        let stored = try await harness.queue.job(submitted.id)
        #expect(stored.status == .succeeded && stored.result == ["rows": 3])
        #expect(try await harness.queue.logs(submitted.id).map(\.message) == ["line 0", "line 1", "line 2"])
    }

    @Test("lines that reached the slot after an end was made go with it, ahead of the end's own lines")
    func earlierLinesGoWithTheEnd() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        let queue = harness.queue
        let answers = try await OwnThread.run { () throws -> [QueueSession.FinishAnswer] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            guard let job = try session.take(workerID: "w-1", offer: Self.offer) else { return [] }
            let line = { (index: Int64, message: String) in
                LogLine(time: 1_700_000_000_000 + index, level: "info", message: message)
            }
            session.finishLater(
                jobID: job.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [line(2, "last")],
                attempt: job.attempts, startedAt: job.startedAt)
            session.addEarlierLines([line(0, "put back 1"), line(1, "put back 2")], toEndOf: job.id)
            session.addEarlierLines([line(3, "another job's")], toEndOf: "job-not-pending")
            return try session.report(workerID: "w-1")
        }
        #expect(answers.count == 1 && answers.first?.logsRefused == nil)
        #expect(try await harness.queue.job(submitted.id).status == .succeeded)
        #expect(try await harness.queue.logs(submitted.id).map(\.message) == ["put back 1", "put back 2", "last"])
    }

    @Test("a finish for a job this worker does not hold is refused, and writes no log line")
    func finishWithoutTheLease() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-other", types: ["ml_training"]))
        let queue = harness.queue
        let refusal = try await OwnThread.run { () -> String in
            do {
                _ = try QueueSession(queue: queue, types: []).finish(
                    jobID: submitted.id, workerID: "w-1", outcome: .succeeded(result: nil),
                    lines: [LogLine(time: 1, level: "info", message: "not mine")])
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal.contains("leased by worker w-other"), "\(refusal)")
        #expect(try await harness.queue.logs(submitted.id).isEmpty)
        #expect(try await harness.queue.job(submitted.id).status == .running)
    }

    @Test("a finish can take the next job along: the next take answers with it, even if the finish was refused")
    func finishTakesAlong() async throws {
        let harness = try await QueueHarness.make()
        let first = try await harness.submit()
        let second = try await harness.submit()
        let third = try await harness.submit()
        let queue = harness.queue
        let steps = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            var steps: [String] = []
            let job = try session.take(workerID: "w-1", offer: Self.offer)
            steps.append("took \(job?.id ?? "none")")
            _ = try session.finish(
                jobID: job?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                thenTakeFor: Self.offer)
            steps.append("ahead \(session.hasJobAhead)")
            let next = try session.take(workerID: "w-1", offer: Self.offer)
            steps.append("took \(next?.id ?? "none")")
            steps.append("ahead \(session.hasJobAhead)")
            // A finish the queue refuses (not this worker's job any more) still takes along.
            do {
                _ = try session.finish(
                    jobID: job?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                    thenTakeFor: Self.offer)
                steps.append("finished twice")
            } catch {
                steps.append("refused")
            }
            steps.append("took \(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")")
            // The queue is empty now: a finish that took along finds nothing, and the next take
            // answers so without asking again.
            _ = try session.finish(
                jobID: next?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                thenTakeFor: Self.offer)
            steps.append("ahead \(session.hasJobAhead)")
            steps.append("took \(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")")
            return steps
        }
        #expect(
            steps == [
                "took \(first.id)", "ahead true", "took \(second.id)", "ahead false", "refused", "took \(third.id)",
                "ahead false", "took none",
            ])
        let counts = try await harness.queue.stats().counts
        #expect(counts[.succeeded] == 2 && counts[.running] == 1, "\(counts)")
        #expect(try await harness.queue.job(third.id).workerID == "w-1")
    }

    @Test("a report sends several ends in one round trip and takes jobs ahead, in queue order, until none is left")
    func reportTakesAhead() async throws {
        let harness = try await QueueHarness.make()
        var submitted: [String] = []
        for _ in 0..<6 { submitted.append(try await harness.submit().id) }
        let queue = harness.queue
        let steps = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            var steps: [String] = []
            let first = try #require(try session.take(workerID: "w-1", offer: Self.offer))
            session.finishLater(jobID: first.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            steps.append("pending \(session.pendingJobIDs == [first.id])")
            for answer in try session.report(workerID: "w-1", takes: 4, offer: Self.offer) {
                steps.append("\(answer.jobID) \((try? answer.status.get())?.rawValue ?? "refused")")
            }
            steps.append("ahead \(session.jobsAhead.map(\.id))")
            var ran: [String] = []
            while session.hasJobAhead, let job = try session.take(workerID: "w-1", offer: Self.offer) {
                ran.append(job.id)
                session.finishLater(jobID: job.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            }
            steps.append("ran \(ran)")
            // Four ends in one round trip; the queue has one job left for the eight asked.
            steps.append("answers \(try session.report(workerID: "w-1", takes: 8, offer: Self.offer).count)")
            steps.append("ahead \(session.jobsAhead.map(\.id))")
            return steps
        }
        #expect(
            steps == [
                "pending true", "\(submitted[0]) succeeded", "ahead \(Array(submitted[1...4]))",
                "ran \(Array(submitted[1...4]))", "answers 4", "ahead \([submitted[5]])",
            ])
        let counts = try await harness.queue.stats().counts
        #expect(counts[.succeeded] == 5 && counts[.running] == 1, "\(counts)")
        for id in submitted { #expect(try await harness.queue.job(id).attempts == 1) }
    }

    @Test(
        "jobs taken ahead are leased as a take leases one, most urgent first across types, never one the worker cannot serve"
    )
    func takenAheadLikeATake() async throws {
        let harness = try await QueueHarness.make()
        let queue = harness.queue
        // A job that failed once and waited out its backoff: taken again, its error becomes last_error.
        let retried = try await harness.submit("ml_training")
        _ = try #require(try await queue.take(workerID: "w-0", types: ["ml_training"]))
        let failed = try await queue.finish(
            jobID: retried.id, workerID: "w-0",
            outcome: .failed(message: "disk full", kind: .retryableFailure, retryable: true))
        #expect(failed == .queued)
        harness.clock.advance(by: .seconds(5))
        let first = try await harness.submit("ml_training")
        guard
            case .created(let gpu) = try await queue.submit(
                NewJob(
                    type: "ml_training", priority: 9, maxAttempts: 3, spec: [:],
                    requirements: JobRequirements(gpu: true)
                ))
        else {
            Issue.record("the GPU job was not created")
            return
        }
        let low = try await harness.submit("ml_training", priority: 1)
        let high = try await harness.submit("ml_inference", priority: 8)
        let middle = try await harness.submit("ml_training")
        let version = SemanticVersion(major: 1, minor: 0, patch: 0)
        let offer = WorkerOffer(
            executorVersions: ["ml_training": version, "ml_inference": version], gpus: 0, cpuMillicores: 1000,
            memoryBytes: 1 << 30)
        let order = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training", "ml_inference"])
            let next = try #require(try session.take(workerID: "w-1", offer: offer))
            session.finishLater(jobID: next.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            _ = try session.report(workerID: "w-1", takes: 8, offer: offer, ahead: offer)
            return [next.id] + session.jobsAhead.map(\.id)
        }
        // The GPU job is more urgent but not for this worker; the retried job was requeued behind
        // the jobs of its priority submitted meanwhile.
        #expect(order == [high.id, first.id, middle.id, retried.id, low.id])
        let now = harness.clock.nowMilliseconds()
        for id in order.dropFirst() {
            let job = try await queue.job(id)
            // The queue's clock stands still; a take's time is it plus the moments between the
            // slot's sending and Redis' running the take.
            let started = try #require(job.startedAt)
            #expect(job.status == .running && job.workerID == "w-1" && (now..<now + 1_000).contains(started), "\(job)")
            #expect(
                job.leaseExpiresAt == started + queue.configuration.leaseDuration.milliseconds && job.runAfter == nil)
            #expect(job.attempts == (id == retried.id ? 2 : 1))
        }
        let again = try await queue.job(retried.id)
        #expect(again.lastError == "disk full" && again.error == nil, "\(again)")
        #expect(try await queue.job(gpu.id).status == .queued)
        let counts = try await queue.stats().counts
        #expect(counts[.running] == 4 && counts[.queued] == 1 && counts[.succeeded] == 1, "\(counts)")
        let namespace = queue.configuration.namespace
        #expect(try await harness.redis.execute(["ZCARD", "\(namespace):inflight"]).int == 4)
        #expect(try await harness.redis.execute(["ZCARD", "\(namespace):queue:ml_training"]).int == 1)
    }

    @Test("in a report, a refused end is answered as such and the others are accepted")
    func reportWithARefusal() async throws {
        let harness = try await QueueHarness.make()
        let mine = try await harness.submit()
        let theirs = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"]))
        _ = try #require(try await harness.queue.take(workerID: "w-other", types: ["ml_training"]))
        let queue = harness.queue
        let answers = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            for id in [theirs.id, mine.id] {
                session.finishLater(
                    jobID: id, workerID: "w-1", outcome: .succeeded(result: nil),
                    lines: [LogLine(time: 1, level: "info", message: "from w-1")])
            }
            return try session.report(workerID: "w-1").map { answer in
                switch answer.status {
                case .success(let status): "\(answer.jobID) \(status.rawValue)"
                case .failure(let error): "\(answer.jobID) \(error)"
                }
            }
        }
        #expect(answers.count == 2)
        #expect(
            answers.first?.hasPrefix("\(theirs.id) ") == true && answers.first?.contains("w-other") == true,
            "\(answers)")
        #expect(answers.last == "\(mine.id) succeeded", "\(answers)")
        #expect(try await harness.queue.job(theirs.id).status == .running)
        #expect(try await harness.queue.logs(theirs.id).isEmpty)
        #expect(try await harness.queue.logs(mine.id).map(\.message) == ["from w-1"])
    }

    @Test(
        "a report's ends go in one call, each as a finish of its own would end it; a second end of an attempt, or one of no job, is refused"
    )
    func reportEndsAsSeparateFinishes() async throws {
        let harness = try await QueueHarness.make { $0.maxCrashes = 1 }
        let queue = harness.queue
        let namespace = queue.configuration.namespace
        let outcomes: [AttemptOutcome] = [
            .succeeded(result: ["rows": 3]),
            .failed(message: "flaky", kind: .retryableFailure, retryable: true),
            .failed(message: "bad", kind: .invalidInput, retryable: false, result: ["seen": 1]),
            .cancelled(message: "stopped"),
            .failed(message: "segfault", kind: .crashed, retryable: true),
            // Its cancellation is asked below: a retryable failure then ends it as cancelled.
            .failed(message: "flaky again", kind: .retryableFailure, retryable: true),
        ]
        // Two jobs per outcome: one ends in the report, its twin through JobQueue.finish alone.
        var pairs: [(reported: String, alone: String)] = []
        for _ in outcomes { pairs.append((try await harness.submit().id, try await harness.submit().id)) }
        for _ in 0..<2 * outcomes.count {
            _ = try #require(try await queue.take(workerID: "w-1", types: ["ml_training"]))
        }
        for id in [pairs[5].reported, pairs[5].alone] { _ = try await queue.cancel(id) }

        let reported = pairs.map(\.reported)
        let answers = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            for (id, outcome) in zip(reported, outcomes) {
                session.finishLater(jobID: id, workerID: "w-1", outcome: outcome, lines: [])
            }
            let again = AttemptOutcome.failed(message: "again", kind: .crashed, retryable: true)
            session.finishLater(jobID: reported[0], workerID: "w-1", outcome: again, lines: [])
            session.finishLater(jobID: "no-such-job", workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            return Self.described(try session.report(workerID: "w-1"))
        }
        var alone: [String] = []
        for (pair, outcome) in zip(pairs, outcomes) {
            alone.append(try await queue.finish(jobID: pair.alone, workerID: "w-1", outcome: outcome).rawValue)
        }
        #expect(alone == ["succeeded", "queued", "failed", "cancelled", "dead", "cancelled"])
        #expect(Array(answers.prefix(outcomes.count)) == alone, "\(answers)")
        #expect(answers.count == outcomes.count + 2)
        #expect(answers.dropFirst(outcomes.count).allSatisfy { $0.hasPrefix("refused") }, "\(answers)")

        // Stored alike: the job, its place in every index, its expiry.
        for pair in pairs {
            let (mine, twin) = (try await queue.job(pair.reported), try await queue.job(pair.alone))
            #expect(mine.status == twin.status && mine.attempts == twin.attempts && mine.crashes == twin.crashes)
            #expect(mine.error == twin.error && mine.errorKind == twin.errorKind && mine.result == twin.result)
            #expect(mine.progress == twin.progress && (mine.runAfter == nil) == (twin.runAfter == nil))
            #expect((mine.finishedAt == nil) == (twin.finishedAt == nil) && mine.leaseExpiresAt == twin.leaseExpiresAt)
            var places: [String] = []
            for index in JobStatus.allCases.map({ "status:\($0.rawValue)" }) + ["inflight", "delayed", "jobs"] {
                let here = try await harness.redis.execute(["ZSCORE", "\(namespace):\(index)", pair.reported])
                let there = try await harness.redis.execute(["ZSCORE", "\(namespace):\(index)", pair.alone])
                #expect(here.isNull == there.isNull, "\(index): \(mine.status)")
                if !here.isNull { places.append(index) }
            }
            #expect(places.contains("status:\(mine.status.rawValue)") && places.count >= 2, "\(places)")
            #expect(!places.contains("inflight") && !places.contains("status:running"), "\(places)")
            #expect(places.contains("delayed") == (mine.status == .queued), "\(places)")
            // Ended jobs expire after the retention; one queued again does not.
            let ttl = try await harness.redis.execute(["TTL", "\(namespace):job:\(pair.reported)"]).int ?? -2
            let twinTTL = try await harness.redis.execute(["TTL", "\(namespace):job:\(pair.alone)"]).int ?? -2
            #expect(mine.status.isFinal ? ttl > 0 && twinTTL > 0 : ttl == -1 && twinTTL == -1, "\(mine.status): \(ttl)")
        }
        // The second end of the first attempt changed nothing.
        #expect(try await queue.job(pairs[0].reported).result == ["rows": 3])
    }

    /// A report's answers as text: each new status, or the refusal.
    static func described(_ answers: [QueueSession.FinishAnswer]) -> [String] {
        answers.map { answer in
            switch answer.status {
            case .success(let status): status.rawValue
            case .failure(let error): "refused: \(error)"
            }
        }
    }

    /// A queue on `server` with two jobs taken by worker w-1.
    static func twoJobsTaken(from server: RedisServer) async throws -> (QueueHarness, [String]) {
        let harness = try await QueueHarness.make(url: server.url)
        let ids = [try await harness.submit().id, try await harness.submit().id]
        for _ in ids { _ = try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"])) }
        return (harness, ids)
    }

    @Test(
        "ends Redis refuses as a whole for a passing reason (out of memory) stay pending and end with the next report, their log lines with them"
    )
    func reportRefusedAsWholeStaysPending() async throws {
        // A Redis of its own: this one runs out of memory.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let queue = harness.queue
        let configuration = harness.redis.configuration
        let (refused, pending, answers) = try await OwnThread.run { () throws -> (String, [String], [String]) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let admin = try RedisConnection(configuration: configuration)
            for id in ids {
                let line = LogLine(time: 1_700_000_000_000, level: "info", message: "\(id) done")
                session.finishLater(
                    jobID: id, workerID: "w-1", outcome: .succeeded(result: ["id": .string(id)]), lines: [line])
            }
            _ = try admin.send(["CONFIG", "SET", "maxmemory", "1"])
            var refused = "not refused"
            do {
                _ = try session.report(workerID: "w-1")
            } catch QueueError.unavailable(let error) {
                refused = "\(error)"
            }
            let pending = session.pendingJobIDs
            _ = try admin.send(["CONFIG", "SET", "maxmemory", "0"])
            let answers = Self.described(try session.report(workerID: "w-1"))
            return (refused, pending, answers)
        }
        #expect(refused.contains("OOM"), "\(refused)")
        #expect(pending == ids)
        #expect(answers == ["succeeded", "succeeded"])
        for id in ids {
            let job = try await queue.job(id)
            #expect(job.status == .succeeded && job.attempts == 1 && job.result == ["id": .string(id)], "\(job)")
            #expect(try await queue.logs(id).map(\.message) == ["\(id) done"])
        }
    }

    @Test("ends refused as a whole after their log lines went in: the next report does not append the lines again")
    func refusedEndsKeepAppendedLines() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let queue = harness.queue
        // mimir_finish_many answers as Redis does when out of memory; mimir_log works: as when
        // the memory ran out between the two.
        let refusing = try #require(
            RefusingFunction.library(QueueFunctions.library, refusing: "mimir_finish_many"))
        _ = try await harness.redis.execute(["FUNCTION", "LOAD", "REPLACE", refusing])
        let configuration = harness.redis.configuration
        let (refused, answers) = try await OwnThread.run { () throws -> (Bool, [String]) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            // The first attempt's lines go in; the second has none.
            let line = LogLine(time: 1_700_000_000_000, level: "info", message: "last line")
            session.finishLater(jobID: ids[0], workerID: "w-1", outcome: .succeeded(result: nil), lines: [line])
            session.finishLater(jobID: ids[1], workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            var refused = false
            do {
                _ = try session.report(workerID: "w-1")
            } catch QueueError.unavailable {
                refused = true
            }
            _ = try RedisConnection(configuration: configuration).send(QueueFunctions.loadCommand)
            let answers = Self.described(try session.report(workerID: "w-1"))
            return (refused, answers)
        }
        #expect(refused)
        #expect(answers == ["succeeded", "succeeded"])
        #expect(try await queue.logs(ids[0]).map(\.message) == ["last line"], "appended once")
        #expect(try await queue.logs(ids[1]).isEmpty)
    }

    @Test(
        "a library of a release without the report's takes (a rolling upgrade): the log lines and ends go in once, the takes are sent again"
    )
    func reportAgainstAnOlderLibrary() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let next = try await harness.submit()
        let takes = ["mimir_take_patient", "mimir_take_many_patient"]
        let older = try #require(RefusingFunction.library(QueueFunctions.library, without: takes))
        _ = try await harness.redis.execute(["FUNCTION", "LOAD", "REPLACE", older])
        let queue = harness.queue
        let (answers, taken) = try await OwnThread.run { () throws -> ([String], [String]) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let line = LogLine(time: 1_700_000_000_000, level: "info", message: "last line")
            session.finishLater(jobID: ids[0], workerID: "w-1", outcome: .succeeded(result: nil), lines: [line])
            session.finishLater(jobID: ids[1], workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            let answers = Self.described(try session.report(workerID: "w-1", takes: 4, offer: Self.offer))
            return (answers, session.jobsAhead.map(\.id))
        }
        #expect(answers == ["succeeded", "succeeded"])
        #expect(try await queue.logs(ids[0]).map(\.message) == ["last line"], "appended once")
        #expect(taken == [next.id])
        #expect(try await queue.job(next.id).workerID == "w-1")
        // This release's library is loaded now.
        let functions = "\(try await harness.redis.execute(["FUNCTION", "LIST"]))"
        #expect(functions.contains("\"mimir_take_patient\"") && !functions.contains("of_another_release"))
    }

    @Test("log lines refused while the end goes in: the end's answer is its status, the lines' refusal beside it")
    func refusedLinesEndAccepted() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let refusing = try #require(RefusingFunction.library(QueueFunctions.library, refusing: "mimir_log"))
        _ = try await harness.redis.execute(["FUNCTION", "LOAD", "REPLACE", refusing])
        let queue = harness.queue
        let answers = try await OwnThread.run { () throws -> [QueueSession.FinishAnswer] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let line = LogLine(time: 1_700_000_000_000, level: "info", message: "last line")
            session.finishLater(jobID: ids[0], workerID: "w-1", outcome: .succeeded(result: nil), lines: [line])
            session.finishLater(jobID: ids[1], workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            return try session.report(workerID: "w-1")
        }
        #expect(Self.described(answers) == ["succeeded", "succeeded"])
        #expect(answers.map { $0.logsRefused.map { "\($0)" }?.contains("OOM") } == [true, nil])
        #expect(try await queue.job(ids[0]).status == .succeeded)
    }

    @Test("an error for a whole report that no retry mends is every end's answer, and the ends are not kept")
    func wholeReportBroken() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let (harness, ids) = try await Self.twoJobsTaken(from: server)
        let broken = try #require(
            RefusingFunction.library(
                QueueFunctions.library, refusing: "mimir_finish_many", with: "WRONGTYPE a key of the wrong kind"))
        _ = try await harness.redis.execute(["FUNCTION", "LOAD", "REPLACE", broken])
        let queue = harness.queue
        let (answers, pending) = try await OwnThread.run { () throws -> ([String], Bool) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            for id in ids {
                session.finishLater(jobID: id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            }
            return (Self.described(try session.report(workerID: "w-1")), session.hasPendingFinishes)
        }
        #expect(answers.count == 2 && answers.allSatisfy { $0.hasPrefix("refused") && $0.contains("WRONGTYPE") })
        #expect(!pending)
    }

    @Test("jobs taken ahead and given back return to the head of their queue, their attempt not counted")
    func handBack() async throws {
        let harness = try await QueueHarness.make()
        var submitted: [String] = []
        for _ in 0..<4 { submitted.append(try await harness.submit().id) }
        let queue = harness.queue
        let given = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let first = try #require(try session.take(workerID: "w-1", offer: Self.offer))
            session.finishLater(jobID: first.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            _ = try session.report(workerID: "w-1", takes: 3, offer: Self.offer)
            return try session.handBackJobsAhead(workerID: "w-1")
        }
        #expect(given == Array(submitted[1...3]))
        // Counted in their priority's band, as any queued job.
        let depth = try await harness.queue.stats().depths.first { $0.type == "ml_training" }
        #expect(depth?.ready == 3 && depth?.byPriority[5] == 3, "\(String(describing: depth))")
        let later = try await harness.submit(priority: 5)
        for id in given {
            let job = try await harness.queue.job(id)
            #expect(job.status == .queued && job.attempts == 0 && job.leaseExpiresAt == nil, "\(job)")
        }
        // Ahead of the job submitted after them, in the order they were taken.
        var order: [String] = []
        while let job = try await harness.queue.take(workerID: "w-2", types: ["ml_training"]) { order.append(job.id) }
        #expect(order == Array(submitted[1...3]) + [later.id])
        #expect(try await harness.queue.job(submitted[1]).attempts == 1)
    }

    @Test("a job taken ahead whose cancellation was asked is cancelled when given back")
    func handBackCancelled() async throws {
        let harness = try await QueueHarness.make()
        for _ in 0..<2 { try await harness.submit() }
        let queue = harness.queue
        let ahead = try await OwnThread.run { () throws -> String in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            let first = try #require(try session.take(workerID: "w-1", offer: Self.offer))
            session.finishLater(jobID: first.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: [])
            _ = try session.report(workerID: "w-1", takes: 2, offer: Self.offer)
            return try #require(session.jobsAhead.first?.id)
        }
        guard case .requested = try await harness.queue.cancel(ahead) else {
            Issue.record("the job taken ahead is running: its cancellation is only requested")
            return
        }
        // The session's own call, with the job id it held ahead.
        _ = try await harness.redis.execute([
            "FCALL", "mimir_hand_back", "0", queue.configuration.namespace, "w-1",
            String(harness.clock.nowMilliseconds()), "60", ahead,
        ])
        #expect(try await harness.queue.job(ahead).status == .cancelled)
        #expect(try await harness.queue.stats().counts[.queued] == 0)
    }

    @Test("after its connection is killed and the functions flushed, the next calls reconnect and reload")
    func recovers() async throws {
        // A server of its own: killing clients and flushing functions would disturb other tests.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let queue = harness.queue
        let redis = harness.redis
        for _ in 0..<2 { try await harness.submit() }
        let names = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            var names: [String] = []
            names.append(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")
            // Everything between two calls of a slot: its connection dropped, the library gone.
            let semaphore = DispatchSemaphore(value: 0)
            Task {
                _ = try? await redis.execute(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
                _ = try? await redis.execute(["FUNCTION", "FLUSH"])
                semaphore.signal()
            }
            semaphore.wait()
            for _ in 0..<3 {
                do {
                    names.append(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")
                    break
                } catch QueueError.unavailable {
                    names.append("unavailable")
                }
            }
            return names
        }
        #expect(names.count >= 2 && names.first != "none" && names.last != "none", "\(names)")
        #expect(names.filter { $0 == "unavailable" }.count <= 1, "one failed call at most, then reconnected: \(names)")
        #expect(try await harness.queue.stats().counts[.running] == 2)
    }
}
