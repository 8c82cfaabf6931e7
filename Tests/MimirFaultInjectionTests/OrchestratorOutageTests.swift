import Foundation
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

extension FaultInjection {
    @Suite("Orchestrator unreachable for 10 s")
    struct OrchestratorOutage {
        @Test("its HTTP frozen for 10 s: workers keep finishing jobs, results land, registrations recover")
        func frozenTenSeconds() async throws {
            let scenario = try await FaultScenario.start()
            let orchestrator = scenario.orchestrator([
                "--job-types", "fixture_echo", "--worker-backend", "none", "--reaper-interval-seconds", "0.2",
            ])
            try await orchestrator.start()
            let workers = try (1...2).map {
                try scenario.worker("oo-\($0)", slots: 2, orchestratorURL: orchestrator.baseURL)
            }
            let client = HTTPClient()
            func listedWorkers() async -> [JSONValue] {
                let response = try? await client.send(
                    HTTPRequest(
                        url: "\(orchestrator.baseURL)/api/workers", headers: [TestTokens.header(TestTokens.admin)]))
                return (try? response?.json())?["workers"]?.arrayValue ?? []
            }
            for _ in 0..<400 where await listedWorkers().count < workers.count {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await listedWorkers().count == workers.count, "workers did not register")

            // About 15 s of work for 4 slots, all accepted before the outage.
            let jobCount = 300
            await scenario.load.submit(count: jobCount, sleepMS: 200, baseURL: { orchestrator.baseURL })
            let accepted = scenario.load.acceptedIDs
            // SIGSTOP: connections are accepted by the kernel and then hang, as with a dead host.
            orchestrator.signal(SIGSTOP)
            let frozenAt = nowMS()
            let succeededAtFreeze = await scenario.load.succeededCount()
            try await Task.sleep(for: .seconds(10))
            let succeededDuringOutage = await scenario.load.succeededCount() - succeededAtFreeze
            orchestrator.signal(SIGCONT)
            let resumedAt = nowMS()

            // Every worker heartbeats again (registering anew if it had been forgotten).
            var recoveredAfter: Int64 = 0
            for _ in 0..<600 {
                let fresh = await listedWorkers().filter { worker in
                    let age = Int64((worker["heartbeat_age_seconds"]?.doubleValue ?? 1e9) * 1000)
                    return worker["status"] != "lost" && nowMS() - age >= resumedAt
                }
                if fresh.count == workers.count {
                    recoveredAfter = nowMS() - resumedAt
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let records = await scenario.load.waitUntilSettled()
            for worker in workers { worker.process.signal(SIGTERM) }
            for worker in workers { await worker.process.waitForExit() }
            let finishedDuringOutage = records.values.filter {
                guard let finished = $0.finishedAt else { return false }
                return finished >= frozenAt && finished < resumedAt && $0.status == .succeeded
            }.count
            let heartbeatFailures = workers.map {
                $0.log.components(separatedBy: "worker heartbeat to the orchestrator failed").count - 1
            }.reduce(0, +)

            let audit = JobAudit(accepted: accepted, records: records, workerLogs: workers.map(\.log))
            var figures = FaultReport.figures(audit, accepted: accepted.count)
            figures["outage_ms"] = .integer(resumedAt - frozenAt)
            figures["succeeded_during_outage"] = .integer(Int64(succeededDuringOutage))
            figures["finished_at_during_outage"] = .integer(Int64(finishedDuringOutage))
            figures["worker_heartbeat_failures"] = .integer(Int64(heartbeatFailures))
            figures["registrations_recovered_after_ms"] = .integer(recoveredAfter)
            FaultReport.write("orchestrator-outage", figures)

            #expect(accepted.count == jobCount)
            #expect(succeededDuringOutage > 0, "no job finished while the orchestrator was unreachable")
            #expect(finishedDuringOutage > 0, "no stored result is dated within the outage")
            #expect(recoveredAfter > 0, "workers did not heartbeat again after the outage:\n\(orchestrator.log)")
            #expect(audit.isClean, "\(audit)")
            await orchestrator.stop()
            await scenario.shutdown()
        }
    }
}
