import Foundation
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

extension FaultInjection {
    @Suite("kill -9 of the orchestrator mid-run")
    struct OrchestratorKill {
        @Test(
            "the orchestrator and its local workers: killed mid-run and restarted, no job is lost or doubled, no worker orphaned"
        )
        func killAndRestart() async throws {
            let scenario = try await FaultScenario.start()
            let logs = FaultFiles.scratch("worker-logs")
            // The embedded default: the orchestrator starts local `mimir-worker` processes itself.
            let orchestrator = scenario.orchestrator([
                "--job-types", "fixture_echo", "--worker-backend", "local", "--local-plugin-dir", scenario.plugins,
                "--local-worker-slots", "4", "--min-workers", "2", "--max-workers", "3", "--queue-threshold", "20",
                "--scaler-interval-seconds", "0.5", "--reaper-interval-seconds", "0.2", "--lease-seconds", "2",
                "--worker-log-dir", logs,
            ])
            try await orchestrator.start()
            let jobCount = 800
            let started = ContinuousClock.now
            // Half before the kill, half submitted while it is down and after its restart (the
            // client retries refused connections; only 201 answers count as accepted).
            await scenario.load.submit(count: jobCount / 2, sleepMS: 40, baseURL: { orchestrator.baseURL })
            let secondHalf = Task {
                await scenario.load.submit(
                    count: jobCount / 2, from: jobCount / 2, clients: 2, sleepMS: 40, pause: .milliseconds(10),
                    baseURL: { orchestrator.baseURL })
            }

            // Kill once the workers are busy with the backlog.
            let firstPID = try #require(orchestrator.pid)
            var firstWorkers: [pid_t] = []
            for _ in 0..<400 {
                firstWorkers = ProcessTable.children(of: firstPID)
                if firstWorkers.count >= 2, await scenario.load.succeededCount() >= 50 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(firstWorkers.count >= 2, "the orchestrator did not start its workers:\n\(orchestrator.log)")
            // The first orchestrator's workers, by id (their log files are named after them).
            let firstIDs = Set(
                ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).map {
                    String($0.dropLast(".log".count))
                })
            let doneAtKill = await scenario.load.succeededCount()
            let acceptedAtKill = scenario.load.acceptedIDs.count
            await orchestrator.kill()
            let killedAt = ContinuousClock.now
            // The first orchestrator's workers must not live on as orphans: they drain and exit.
            let orphanDeadline = ContinuousClock.now + .seconds(60)
            while firstWorkers.contains(where: ProcessTable.isAlive), ContinuousClock.now < orphanDeadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let orphansGoneAfter = ContinuousClock.now - killedAt
            let orphans = firstWorkers.filter(ProcessTable.isAlive)
            // Down for 2 s at least, as a supervisor's restart delay, then back on the same port.
            try await Task.sleep(until: killedAt + .seconds(2))
            try await orchestrator.start()
            let downFor = ContinuousClock.now - killedAt
            // Gone workers must not stay registered: the new scaler would count them as idle and
            // start nobody until they are presumed lost (15 s).
            let client = HTTPClient()
            let listed = try await client.send(
                HTTPRequest(url: "\(orchestrator.baseURL)/api/workers", headers: [TestTokens.header(TestTokens.admin)])
            ).json()
            let stale = (listed["workers"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.filter {
                firstIDs.contains($0)
            }
            // Time from the kill until a job finishes again.
            var resumedAfter = Duration.zero
            let before = await scenario.load.succeededCount()
            for _ in 0..<1200 {
                if await scenario.load.succeededCount() > before {
                    resumedAfter = ContinuousClock.now - killedAt
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }

            await secondHalf.value
            let records = await scenario.load.waitUntilSettled()
            let elapsed = ContinuousClock.now - started
            let secondWorkers = orchestrator.pid.map(ProcessTable.children(of:)) ?? []
            await orchestrator.stop()
            for pid in orphans { kill(pid, SIGKILL) }

            let workerLogs = ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).compactMap {
                try? String(contentsOfFile: "\(logs)/\($0)", encoding: .utf8)
            }
            let accepted = scenario.load.acceptedIDs
            let audit = JobAudit(accepted: accepted, records: records, workerLogs: workerLogs)
            var figures = FaultReport.figures(audit, accepted: accepted.count)
            figures["succeeded_before_kill"] = .integer(Int64(doneAtKill))
            figures["accepted_before_kill"] = .integer(Int64(acceptedAtKill))
            figures["orchestrator_down_ms"] = .integer(downFor.milliseconds)
            figures["first_job_after_kill_ms"] = .integer(resumedAfter.milliseconds)
            figures["old_workers"] = .integer(Int64(firstWorkers.count))
            figures["old_workers_gone_after_ms"] = .integer(orphansGoneAfter.milliseconds)
            figures["orphans"] = .integer(Int64(orphans.count))
            figures["stale_registrations"] = .integer(Int64(stale.count))
            figures["refused_submissions"] = .integer(Int64(scenario.load.refused.values.reduce(0, +)))
            figures["run_seconds"] = .number(Double(elapsed.milliseconds) / 1000)
            FaultReport.write("orchestrator-kill", figures)

            #expect(accepted.count == jobCount, "refused submissions: \(scenario.load.refused)")
            #expect(orphans.isEmpty, "workers of the killed orchestrator still run: \(orphans)")
            #expect(stale.isEmpty, "exited workers of the killed orchestrator are still registered: \(stale)")
            #expect(!secondWorkers.isEmpty, "the restarted orchestrator started no workers:\n\(orchestrator.log)")
            #expect(resumedAfter > .zero, "no job finished after the restart")
            #expect(audit.isClean, "\(audit)")
            await scenario.shutdown()
        }
    }
}
