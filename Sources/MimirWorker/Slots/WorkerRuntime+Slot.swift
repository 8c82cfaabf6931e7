import Logging
import MimirCore
import MimirQueue

#if canImport(Glibc)
    import Glibc
#endif

extension WorkerRuntime {
    /// A slot's loop, on a thread of its own until the worker drains: take a job, run it, report
    /// it, on the slot's own blocking connection. A job costs a few system calls on this thread
    /// rather than a dozen hand-offs between tasks, Redis' event loop and a job thread.
    ///
    /// A report takes the slot's next job along and, once jobs of some types run short here
    /// (`RunLengths`), up to `prefetch - 1` more of those types: the slot runs them back to back
    /// and holds each short job's end for the report that takes the next ones. A job that runs
    /// long after all has the held ends reported and the jobs behind it given back at once (by the
    /// slot's thread between an executor process's messages, or by the `InProcessWatch` while an
    /// executor runs in this process).
    func runSlot(types: [String], offer: WorkerOffer, renewer: LeaseRenewer) {
        let session = QueueSession(queue: queue, types: types)
        let attempts = SlotAttempts(renewer: renewer)
        let lane: ExecutorLane? =
            switch isolation {
            case .none: nil
            case .processes(let pool): ExecutorLane(pool: pool)
            }
        defer { lane?.close() }
        var idle = Duration.milliseconds(5)
        // Jobs taken ahead are leased here already: they run even if the worker began draining
        // meanwhile, as a job that had just started would.
        while !draining.isCancelled || session.hasJobAhead {
            // Past the drain's grace, a job taken ahead would only be stopped at once and reported
            // as a failed attempt: give them back instead, their attempts not counted (or, with
            // Redis away, run them into that stop).
            if stopping.isCancelled, session.hasJobAhead {
                // One sent ahead into an executor process is handed back only if it has not started.
                let started = lane.map { !$0.withdrawAheadNow() } ?? false
                handBack(session, attempts, because: "the worker is stopping", keepingFirst: started)
                if !session.hasJobAhead { continue }
            }
            let job: JobRecord?
            do {
                job = try session.take(workerID: configuration.workerID, offer: offer)
                if takeFailing.exchange(false, ordering: .relaxed) {
                    logger.notice("taking jobs again", metadata: ["worker": "\(configuration.workerID)"])
                }
            } catch {
                // Every slot fails alike while Redis is away: one warning per outage, not one per
                // slot and poll.
                if !takeFailing.exchange(true, ordering: .relaxed) {
                    logger.warning(
                        "cannot take jobs; retrying (until it works again, further failures are logged at debug)",
                        metadata: ["error": "\(error)"])
                } else {
                    logger.debug("cannot take jobs", metadata: ["error": "\(error)"])
                }
                job = nil
            }
            guard let job, let executor = registry.executor(for: job.type) else {
                // Cannot happen (takes offer only the registry's types); should it, the job's lease
                // runs out and the reaper hands it to another worker.
                if let job { attempts.forget([job.id]) }
                if registration == nil, state.idleSeconds != nil {
                    // No orchestrator to ask: idle past the timeout is reason enough to leave.
                    retire()
                    continue
                }
                // Nothing to take: wait for a wake-up token (a job made ready), at most the poll
                // interval, and take in the same round trip (the next `take` answers with what it
                // found); if Redis is away, back off instead.
                do {
                    let took = try session.waitForWork(
                        upTo: configuration.maximumPollInterval, thenTakeFor: offer, workerID: configuration.workerID)
                    // The take ran when the wait ended, maybe after the drain began: a draining
                    // worker takes no new job.
                    if took, draining.isCancelled { handBack(session, attempts, because: "the worker is draining") }
                    idle = .milliseconds(5)
                } catch {
                    usleep(UInt32(idle.milliseconds * 1000))
                    idle = min(idle * 2, configuration.maximumPollInterval)
                }
                continue
            }
            idle = .milliseconds(5)
            running.withLock { _ = $0.insert(job.id) }
            idleSince.withLock { $0 = nil }
            let attempt = attempts.start(job)
            var sawLongRun = false
            let startedAt = ContinuousClock.now
            let ranFor = JobAttempt(
                job: job, executor: executor, lane: lane, next: lane == nil ? nil : sendAhead(after: job, session),
                // In this process, a job is watched only when ends or jobs wait for it: the rest
                // cost the watch nothing.
                watch: lane == nil && (session.hasJobAhead || session.hasPendingFinishes) ? inProcessWatch : nil,
                session: session, configuration: configuration, logger: logger, stopping: stopping, attempt: attempt,
                runsLong: {
                    // Once per job, once it has run longer than a short job does: what waits for
                    // it must not wait for its whole run. A job sent ahead into the executor
                    // process goes back once the process says it has not started it
                    // (`aheadWithdrawn`).
                    guard !sawLongRun, ContinuousClock.now - startedAt >= self.configuration.shortJob else { return }
                    sawLongRun = true
                    let sentAhead = lane?.withdrawAhead() ?? false
                    self.handBack(session, attempts, because: "the job before them runs long", keepingFirst: sentAhead)
                    // One try: the watch must go on (cancellation, the timeout) if Redis is away.
                    if session.hasPendingFinishes { self.report(session, attempts, takingFor: nil, retrying: false) }
                },
                aheadWithdrawn: { self.handBack(session, attempts, because: "the job before it runs long") }
            ).run()
            attempts.hold(attempt)
            runLengths.record(job.type, ranFor: ranFor)
            let nowIdle = running.withLock { running in
                running.remove(job.id)
                return running.isEmpty
            }
            if nowIdle { idleSince.withLock { $0 = ContinuousClock.now } }
            if session.hasJobAhead, ranFor < configuration.shortJob, !draining.isCancelled { continue }
            report(session, attempts, takingFor: draining.isCancelled || session.hasJobAhead ? nil : offer)
        }
        if session.hasPendingFinishes { report(session, attempts, takingFor: nil) }
    }

    /// Logs how the queue took an attempt's end.
    private func log(_ answer: QueueSession.FinishAnswer) {
        if let refusal = answer.logsRefused {
            logger.warning(
                "the attempt's last log lines were not kept",
                metadata: ["job": "\(answer.jobID)", "error": "\(refusal)"])
        }
        switch answer.status {
        case .success(let status) where answer.wentInBefore:
            logger.info(
                "job finished",
                metadata: [
                    "job": "\(answer.jobID)", "status": "\(status.rawValue)",
                    "note": "its end went in with a report before, whose answer was lost",
                ])
        case .success(let status):
            logger.info("job finished", metadata: ["job": "\(answer.jobID)", "status": "\(status.rawValue)"])
        case .failure(let error):
            let reason = error.isLeaseGone ? "the lease is gone" : "refused by the queue"
            logger.error("outcome not accepted: \(reason)", metadata: ["job": "\(answer.jobID)", "error": "\(error)"])
        }
    }

    /// The slot's next job, to send into the executor process behind `job`: when both run short
    /// here and the worker is not draining (a draining worker's jobs ahead are handed back).
    private func sendAhead(after job: JobRecord, _ session: QueueSession) -> ExecutorLane.Job? {
        guard !draining.isCancelled, let next = session.jobsAhead.first, runLengths.isShort(job.type),
            let executor = registry.executor(for: next.type)
        else { return nil }
        return ExecutorLane.Job(executor: executor, request: JobAttempt.request(for: next))
    }

    /// Gives back the jobs the slot took ahead and has not started, so that another slot or
    /// worker runs them (all but the first when `keepingFirst`: it is on its way to an executor
    /// process). If Redis cannot be reached they stay, to be run here.
    private func handBack(
        _ session: QueueSession, _ attempts: SlotAttempts, because reason: String, keepingFirst: Bool = false
    ) {
        guard session.hasJobAhead else { return }
        do {
            let ids = try session.handBackJobsAhead(workerID: configuration.workerID, keepingFirst: keepingFirst)
            guard !ids.isEmpty else { return }
            attempts.forget(ids)
            logger.info(
                "gave back jobs taken ahead: \(reason)", metadata: ["jobs": "\(ids.joined(separator: ","))"])
        } catch {
            logger.warning(
                "cannot give back jobs taken ahead; they run here", metadata: ["error": "\(error)"])
        }
    }

    /// Takes the held jobs off the clock; lines a failed renewal put back go with their ends.
    private func endHeld(_ session: QueueSession, _ attempts: SlotAttempts) {
        for (jobID, lines) in attempts.endHeld() {
            session.addEarlierLines(lines, toEndOf: jobID)
        }
    }

    /// Sends the slot's held ends, taking its next jobs along when `offer` is given; retried until
    /// Redis takes them, so a result is never dropped during an outage. Without `retrying`, one
    /// try: ends it could not send stay held, on the lease clock, for the next report.
    private func report(
        _ session: QueueSession, _ attempts: SlotAttempts, takingFor offer: WorkerOffer?, retrying: Bool = true
    ) {
        endHeld(session, attempts)
        let ahead = offer.flatMap { runLengths.shortTypes(of: $0) }
        let takes = offer == nil ? 0 : ahead == nil ? 1 : configuration.prefetch
        var delay = Duration.milliseconds(100)
        while true {
            do {
                // A try whose ends were refused may still have taken jobs (the takes go in the same
                // round trip): the retries take no more, or a slot would lease a job per retry.
                for answer in try session.report(
                    workerID: configuration.workerID, takes: session.hasJobAhead ? 0 : takes, offer: offer,
                    ahead: ahead)
                {
                    log(answer)
                }
                // The next job runs at once; the ones after it wait on the clock.
                attempts.wait(for: Array(session.jobsAhead.dropFirst()))
                return
            } catch .unavailable(let error) {
                // The ends not sent, and jobs the failed try took, go on the lease clock while they
                // wait: Redis may refuse only the ends (out of memory) while the reaper works, and an
                // outage may outlast a lease. Off the clock, they were reaped and ran again.
                attempts.holdAgain(session.pendingJobIDs)
                attempts.wait(for: session.jobsAhead)
                guard retrying else {
                    logger.warning(
                        "cannot report the outcome yet; it goes with the next report",
                        metadata: ["jobs": "\(session.pendingJobIDs.joined(separator: ","))", "error": "\(error)"])
                    return
                }
                logger.warning(
                    "cannot report the outcome yet; retrying",
                    metadata: ["jobs": "\(session.pendingJobIDs.joined(separator: ","))", "error": "\(error)"])
                usleep(UInt32(delay.milliseconds * 1000))
                delay = min(delay * 2, .seconds(5))
                endHeld(session, attempts)
            } catch {
                logger.error(
                    "outcome not accepted: the queue's answer was unreadable",
                    metadata: [
                        "jobs": "\(session.discardPendingFinishes().joined(separator: ","))", "error": "\(error)",
                    ])
                return
            }
        }
    }
}
