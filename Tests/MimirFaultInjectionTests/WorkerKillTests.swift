import Foundation
import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

extension FaultInjection {
    @Suite("kill -9 of workers during a 2,000-job run")
    struct WorkerKills {
        @Test("random workers killed again and again: every job succeeds once, none lost or stuck")
        func killWorkersRepeatedly() async throws {
            let run = try await Self.killRepeatedly(
                scenario: "worker-kill", jobCount: 2000, sleepMS: 40, slots: 4, pauses: 400...1200,
                workerArguments: [])
            #expect(run.kills >= 3, "the run ended before enough workers were killed")
        }

        @Test("workers killed while holding short jobs taken ahead and ends not yet reported: none lost, none twice")
        func killWorkersHoldingJobsAhead() async throws {
            // 20 ms jobs count as short here (under 100 ms on average), so each slot takes up to 8 at a
            // time and holds their ends for its next report; 2 slots a worker run fewer jobs a second
            // than the clients submit, so a backlog builds and the slots do take jobs ahead.
            let run = try await Self.killRepeatedly(
                scenario: "worker-kill-ahead", jobCount: 2000, sleepMS: 20, slots: 2, pauses: 200...600,
                workerArguments: ["--short-job-ms", "100"])
            #expect(run.kills >= 3, "the run ended before enough workers were killed")
            #expect(
                run.mostHeld > 2,
                "no killed worker held more leases than its 2 slots run, so none held jobs taken ahead: \(run.mostHeld)"
            )
        }

        struct Run {
            let kills: Int
            /// The most leases one killed worker held when it was killed.
            let mostHeld: Int
        }

        /// `jobCount` jobs of `sleepMS` on 3 workers with `slots` each; a random worker dies by SIGKILL
        /// after each pause (a random length in `pauses`, ms) and a fresh one (new id) takes its
        /// place, until every job has succeeded. Audits the jobs, writes the figures as `scenario`.
        static func killRepeatedly(
            scenario name: String, jobCount: Int, sleepMS: Int, slots: Int, pauses: ClosedRange<Int64>,
            workerArguments: [String]
        ) async throws -> Run {
            let scenario = try await FaultScenario.start()
            let orchestrator = scenario.orchestrator([
                "--job-types", "fixture_echo", "--worker-backend", "none", "--reaper-interval-seconds", "0.2",
            ])
            try await orchestrator.start()
            var generation = 0
            func freshWorker() throws -> Worker {
                generation += 1
                return try scenario.worker("kw-\(generation)", slots: slots, extra: workerArguments)
            }
            var live = try (0..<3).map { _ in try freshWorker() }
            var everyWorker = live
            let started = ContinuousClock.now
            let submitting = Task {
                await scenario.load.submit(count: jobCount, sleepMS: sleepMS, baseURL: { orchestrator.baseURL })
            }

            // Until every job has succeeded; or, as a guard, 240 s or 30 s without a single success.
            var kills: [(at: Int64, jobs: [String])] = []
            let giveUp = ContinuousClock.now + .seconds(240)
            var (succeeded, lastProgress) = (0, ContinuousClock.now)
            while ContinuousClock.now < giveUp, ContinuousClock.now - lastProgress < .seconds(30) {
                try await Task.sleep(for: .milliseconds(Int64.random(in: pauses)))
                let now = await scenario.load.succeededCount()
                if now != succeeded { (succeeded, lastProgress) = (now, ContinuousClock.now) }
                if scenario.load.acceptedIDs.count == jobCount, succeeded == jobCount { break }
                let victim = live.remove(at: Int.random(in: 0..<live.count))
                let held = await scenario.leasedJobs(of: victim.id)
                victim.process.signal(SIGKILL)
                await victim.process.waitForExit()
                kills.append((nowMS(), held))
                let replacement = try freshWorker()
                live.append(replacement)
                everyWorker.append(replacement)
            }
            await submitting.value
            let records = await scenario.load.waitUntilSettled()
            let elapsed = ContinuousClock.now - started
            for worker in live { worker.process.signal(SIGTERM) }
            for worker in live { await worker.process.waitForExit() }

            let accepted = scenario.load.acceptedIDs
            let audit = JobAudit(accepted: accepted, records: records, workerLogs: everyWorker.map(\.log))
            // How long each job a killed worker held waited from the kill to its success elsewhere.
            var waits: [Int64] = []
            for kill in kills {
                for id in kill.jobs {
                    if let record = records[id], let finished = record.finishedAt, finished > kill.at {
                        waits.append(finished - kill.at)
                    }
                }
            }
            let mostHeld = kills.map(\.jobs.count).max() ?? 0
            var figures = FaultReport.figures(audit, accepted: accepted.count)
            figures["kills"] = .integer(Int64(kills.count))
            figures["jobs_held_by_killed_workers"] = .integer(Int64(kills.reduce(0) { $0 + $1.jobs.count }))
            figures["most_held_by_one_killed_worker"] = .integer(Int64(mostHeld))
            figures["wait_after_kill_ms_median"] = .integer(waits.median)
            figures["wait_after_kill_ms_max"] = .integer(waits.max() ?? 0)
            figures["run_seconds"] = .number(Double(elapsed.milliseconds) / 1000)
            FaultReport.write(name, figures)

            #expect(accepted.count == jobCount, "refused submissions: \(scenario.load.refused)")
            #expect(waits.count > 0, "no killed worker held a job")
            #expect(audit.isClean, "\(audit)")
            await orchestrator.stop()
            await scenario.shutdown()
            return Run(kills: kills.count, mostHeld: mostHeld)
        }
    }
}
