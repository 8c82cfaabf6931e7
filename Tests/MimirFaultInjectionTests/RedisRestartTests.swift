import Foundation
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

extension FaultInjection {
    @Suite("Redis restarted mid-run (AOF, appendfsync everysec)")
    struct RedisRestart {
        @Test("Redis restarts while jobs flow: no acknowledged job lost, none doubled, the API and workers recover")
        func restartMidRun() async throws {
            let scenario = try await FaultScenario.start()
            let flow = try await scenario.flowing(workerPrefix: "rr")
            let (orchestrator, workers, jobCount) = (flow.orchestrator, flow.workers, flow.jobCount)
            let acceptedBefore = scenario.load.acceptedIDs.count
            let succeededBefore = await scenario.load.succeededCount()
            let stoppedAt = ContinuousClock.now
            // SIGTERM (Redis writes and fsyncs its AOF on the way down), 2 s away, then the same
            // port and folder.
            await scenario.redis.stop()
            try await Task.sleep(for: .seconds(2))
            try await scenario.redis.restart()
            let downFor = ContinuousClock.now - stoppedAt

            // The API answers again by itself (no restart of the orchestrator), and jobs finish again.
            let client = HTTPClient()
            var readyAfter = Duration.zero
            for _ in 0..<600 {
                if (try? await client.send(HTTPRequest(url: "\(orchestrator.baseURL)/ready")))?.status == 200 {
                    readyAfter = ContinuousClock.now - stoppedAt
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let flowingAfter = try await scenario.successAfter(await scenario.load.succeededCount(), since: stoppedAt)
            let (records, elapsed) = await scenario.settle(flow)

            let accepted = scenario.load.acceptedIDs
            let audit = JobAudit(accepted: accepted, records: records, workerLogs: workers.map(\.log))
            let reportsRetried = workers.map {
                $0.log.components(separatedBy: "cannot report the outcome yet").count - 1
            }
            .reduce(0, +)
            var figures = FaultReport.figures(audit, accepted: accepted.count)
            figures["accepted_before_restart"] = .integer(Int64(acceptedBefore))
            figures["succeeded_before_restart"] = .integer(Int64(succeededBefore))
            figures["redis_down_ms"] = .integer(downFor.milliseconds)
            figures["api_ready_after_ms"] = .integer(readyAfter.milliseconds)
            figures["jobs_flowing_after_ms"] = .integer(flowingAfter.milliseconds)
            figures["refused_submissions"] = .integer(Int64(scenario.load.refused.values.reduce(0, +)))
            figures["outcome_reports_retried"] = .integer(Int64(reportsRetried))
            figures["run_seconds"] = .number(Double(elapsed.milliseconds) / 1000)
            FaultReport.write("redis-restart", figures)

            #expect(accepted.count == jobCount, "refused submissions: \(scenario.load.refused)")
            #expect(readyAfter > .zero, "the API did not become ready again:\n\(orchestrator.log)")
            #expect(flowingAfter > .zero, "no job finished after the restart")
            #expect(audit.isClean, "\(audit)")
            // The outage is logged once per worker, not once per slot and poll (4 slots polling
            // every 5–200 ms for 2 s), and its end too.
            for worker in workers {
                let failures = worker.log.components(separatedBy: "cannot take jobs; retrying").count - 1
                let recoveries = worker.log.components(separatedBy: "taking jobs again").count - 1
                #expect(
                    failures <= 3 && recoveries == failures,
                    "\(worker.id): \(failures) warnings, \(recoveries) recoveries")
            }
            await orchestrator.stop()
            await scenario.shutdown()
        }
    }
}
