import Foundation
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

/// Every call here is an admin's: the routes answer 503 whoever asks.
private let admin = TestTokens.header(TestTokens.admin)

extension FaultInjection {
    @Suite("Redis unreachable")
    struct RedisOutage {
        /// Every route that needs Redis, with a body where it takes one.
        static func routes(job: String) -> [(HTTPMethod, String, JSONValue?)] {
            [
                (.post, "/api/jobs", JobLoad.job(0, sleepMS: 0, maxAttempts: 3)),
                (.get, "/api/jobs", nil),
                (.get, "/api/jobs?status=queued", nil),
                (.get, "/api/jobs/\(job)", nil),
                (.post, "/api/jobs/\(job)", ["worker_id": "w-x", "progress": 0.5]),
                (.post, "/api/jobs/\(job)/cancel", nil),
                (.post, "/api/jobs/\(job)/retry", nil),
                (.get, "/api/jobs/\(job)/logs", nil),
                (.get, "/api/workers", nil),
                (.get, "/api/workers/w-x", nil),
                (.post, "/api/workers/w-x/heartbeat", ["status": "idle"]),
                (.delete, "/api/workers/w-x", nil),
                (.get, "/api/twins/t-1", nil),
                (.get, "/api/twins/t-1/history", nil),
                (.get, "/api/twins/t-1/entities/e-1", nil),
                (.get, "/ready", nil),
            ]
        }

        /// Sends every route at once; returns "METHOD path → status code" for each that did not answer
        /// 503 with a JSON body naming Redis, and the longest answer time.
        static func sweep(_ base: String, job: String) async -> (problems: [String], slowest: Duration) {
            let client = HTTPClient()
            return await withTaskGroup(of: (String?, Duration).self) { group in
                for (method, path, body) in routes(job: job) {
                    group.addTask {
                        let started = ContinuousClock.now
                        let request =
                            body.map {
                                HTTPRequest.json(
                                    method: method, url: base + path, body: $0, headers: [admin], timeout: .seconds(30))
                            }
                            ?? HTTPRequest(method: method, url: base + path, headers: [admin], timeout: .seconds(30))
                        let took = { ContinuousClock.now - started }
                        guard let response = try? await client.send(request) else {
                            return ("\(method.rawValue) \(path) → no answer", took())
                        }
                        let json = try? response.json()
                        let reason =
                            path == "/ready" ? json?["reason"]?.stringValue : json?["error"]?["message"]?.stringValue
                        let named =
                            (path == "/ready" || json?["error"]?["code"] == "redis_unavailable")
                            && reason?.contains("Redis") == true
                        guard response.status == 503, named, response.header("Retry-After") != nil else {
                            return ("\(method.rawValue) \(path) → \(response.status) \(response.text)", took())
                        }
                        return (nil, took())
                    }
                }
                var problems: [String] = []
                var slowest = Duration.zero
                for await (problem, took) in group {
                    if let problem { problems.append(problem) }
                    slowest = max(slowest, took)
                }
                return (problems.sorted(), slowest)
            }
        }

        /// Waits until the API answers normally again; returns how long that took (nil: it did not).
        static func recovery(_ base: String, job: String, from start: ContinuousClock.Instant) async -> Duration? {
            let client = HTTPClient()
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let ready = try? await client.send(HTTPRequest(url: "\(base)/ready"))
                let read = try? await client.send(HTTPRequest(url: "\(base)/api/jobs/\(job)", headers: [admin]))
                if ready?.status == 200, read?.status == 200 { return ContinuousClock.now - start }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        @Test("Redis down (refused) and frozen (silent): every route answers 503 naming Redis, then recovers by itself")
        func unreachable() async throws {
            let scenario = try await FaultScenario.start()
            let orchestrator = scenario.orchestrator(["--job-types", "fixture_echo", "--worker-backend", "none"])
            try await orchestrator.start()
            let base = orchestrator.baseURL
            let pid = orchestrator.pid
            await scenario.load.submit(count: 1, sleepMS: 0, baseURL: { base })
            let job = try #require(scenario.load.acceptedIDs.first)
            let client = HTTPClient()

            // Down: the port refuses connections.
            await scenario.redis.kill()
            let refused = await Self.sweep(base, job: job)
            let health = try await client.send(HTTPRequest(url: "\(base)/health"))
            let metrics = try await client.send(HTTPRequest(url: "\(base)/metrics"))
            let downSince = ContinuousClock.now
            try await scenario.redis.restart()
            let recoveredFromDown = await Self.recovery(base, job: job, from: downSince)

            // Frozen: connections open but nothing answers, as with a hung server or a lost route.
            scenario.redis.freeze()
            let frozenSince = ContinuousClock.now
            let frozen = await Self.sweep(base, job: job)
            scenario.redis.thaw()
            let thawedAt = ContinuousClock.now
            let recoveredFromFrozen = await Self.recovery(base, job: job, from: thawedAt)
            let after = try await client.send(
                HTTPRequest.json(
                    url: "\(base)/api/jobs", body: JobLoad.job(1, sleepMS: 0, maxAttempts: 3), headers: [admin]))
            let stillJob = try await client.send(HTTPRequest(url: "\(base)/api/jobs/\(job)", headers: [admin]))

            FaultReport.write(
                "redis-outage",
                [
                    "routes": .integer(Int64(Self.routes(job: job).count)),
                    "wrong_answers_down": .integer(Int64(refused.problems.count)),
                    "wrong_answers_frozen": .integer(Int64(frozen.problems.count)),
                    "slowest_answer_down_ms": .integer(refused.slowest.milliseconds),
                    "slowest_answer_frozen_ms": .integer(frozen.slowest.milliseconds),
                    "frozen_for_ms": .integer((thawedAt - frozenSince).milliseconds),
                    "recovered_after_restart_ms": .integer(recoveredFromDown?.milliseconds ?? -1),
                    "recovered_after_thaw_ms": .integer(recoveredFromFrozen?.milliseconds ?? -1),
                ])

            #expect(refused.problems.isEmpty, "with Redis down:\n\(refused.problems.joined(separator: "\n"))")
            #expect(frozen.problems.isEmpty, "with Redis frozen:\n\(frozen.problems.joined(separator: "\n"))")
            #expect(health.status == 200 && metrics.status == 200, "liveness and metrics need no Redis")
            #expect(recoveredFromDown != nil, "the API did not recover after Redis came back")
            #expect(recoveredFromFrozen != nil, "the API did not recover after Redis answered again")
            #expect(after.status == 201 && stillJob.status == 200, "\(after.text) \(stillJob.text)")
            #expect(orchestrator.pid == pid && ProcessTable.isAlive(pid ?? 0), "the orchestrator was restarted")
            await orchestrator.stop()
            await scenario.shutdown()
        }
    }
}
