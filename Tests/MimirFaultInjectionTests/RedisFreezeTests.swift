import Foundation
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

extension FaultInjection {
    @Suite("Redis frozen mid-run past every timeout (SIGSTOP)")
    struct RedisFreeze {
        @Test(
            "Redis stops answering for 7 s while jobs flow: calls given up on run when it wakes, and still no job is lost or doubled"
        )
        func freezeMidRun() async throws {
            let scenario = try await FaultScenario.start()
            let flow = try await scenario.flowing(workerPrefix: "rf")
            let (orchestrator, workers, jobCount) = (flow.orchestrator, flow.workers, flow.jobCount)
            let acceptedBefore = scenario.load.acceptedIDs.count
            // Longer than every Redis timeout (5 s) and every lease (2 s): the workers, the
            // orchestrator and the load give up on calls Redis has read or will read, and runs all
            // of them, in order, once it wakes, the reaper's among them.
            scenario.redis.freeze()
            let frozenAt = ContinuousClock.now
            try await Task.sleep(for: .seconds(7))
            scenario.redis.thaw()
            let thawedAt = ContinuousClock.now
            let flowingAfter = try await scenario.successAfter(await scenario.load.succeededCount(), since: thawedAt)
            let (records, elapsed) = await scenario.settle(flow)

            let accepted = scenario.load.acceptedIDs
            let logs = workers.map(\.log)
            let audit = JobAudit(accepted: accepted, records: records, workerLogs: logs)
            func count(_ text: String) -> Int {
                logs.map { $0.components(separatedBy: text).count - 1 }.reduce(0, +)
            }
            // Every success the queue recorded is one its worker logged as such: a report whose
            // answer was lost in the freeze went in all the same, and sent again it must not be
            // logged as refused (no worker is killed here, so every report's answer is read).
            let logged = Set(logs.flatMap { JobAudit.finishedLines($0) }.filter { $0.1 == "succeeded" }.map(\.0))
            let unlogged = accepted.filter { records[$0]?.status == .succeeded && !logged.contains($0) }
            var figures = FaultReport.figures(audit, accepted: accepted.count)
            figures["successes_not_logged"] = .integer(Int64(unlogged.count))
            figures["accepted_before_freeze"] = .integer(Int64(acceptedBefore))
            figures["frozen_ms"] = .integer((thawedAt - frozenAt).milliseconds)
            figures["jobs_flowing_after_thaw_ms"] = .integer(flowingAfter.milliseconds)
            figures["refused_submissions"] = .integer(Int64(scenario.load.refused.values.reduce(0, +)))
            figures["outcome_reports_retried"] = .integer(Int64(count("cannot report the outcome yet")))
            figures["ends_gone_in_before"] = .integer(Int64(count("its end went in with a report before")))
            figures["outcomes_refused"] = .integer(Int64(count("outcome not accepted")))
            figures["jobs_given_back"] = .integer(Int64(count("gave back jobs taken ahead")))
            figures["run_seconds"] = .number(Double(elapsed.milliseconds) / 1000)
            FaultReport.write("redis-freeze", figures)

            #expect(accepted.count == jobCount, "refused submissions: \(scenario.load.refused)")
            #expect(flowingAfter > .zero, "no job finished after Redis woke")
            #expect(audit.isClean, "\(audit)")
            #expect(unlogged.isEmpty, "successes their workers logged as not accepted: \(unlogged.prefix(5))")
            await orchestrator.stop()
            await scenario.shutdown()
        }
    }
}
