import Logging
import MimirPluginHost

/// A slot's way through the executor processes: runs the slot's jobs one at a time in a process
/// checked out of the pool, and turns whatever happens to that process into the job's outcome: its
/// own outcome; a crash (signal, unexpected exit) as `crashed`, naming the plugin and the signal;
/// a plugin that ignores cancellation or its timeout killed after the grace period.
///
/// While a short job runs, the lane sends the slot's next job into the same process's pipe
/// (`sendingAhead`), so the child starts it the moment the first ends instead of sleeping until
/// its worker has read the outcome and written the next run: a context switch on each side per
/// job, a third of a child's time on no-op jobs. A job sent ahead stays the slot's to manage:
/// - when the job before it runs long, the slot asks for it back (`withdrawAhead`) and hands it
///   back to the queue only once the child has answered that it will not start it (`withdrawn`);
///   if it had started, it runs here as any started job;
/// - when the process dies or is killed before the job's turn, the job never started: it is sent
///   to a fresh process when its turn comes, as if it had not been sent;
/// - a process that reaches its job or memory limit with a job sent ahead is replaced after that
///   job, and is sent no more.
///
/// Belongs to one slot's thread.
final class ExecutorLane {
    let pool: ExecutorProcessPool
    private var logger: Logger { pool.logger }

    /// A job to send ahead: the slot's next.
    struct Job {
        let executor: LoadedExecutor
        let request: ExecutionRequest
    }

    /// A run in `held`'s request pipe behind the running job.
    private struct SentAhead {
        let jobType: String
        let input: ExecutionInput
        /// A withdraw was sent, and its answer has not come yet.
        var withdrawing = false
    }

    /// The process kept between two jobs because the second was sent ahead into it.
    private var held: ExecutorProcess?
    private var ahead: SentAhead?
    /// Events of the job sent ahead, read while waiting for a withdraw's answer: it had started.
    private var early: [ExecutorMessage] = []
    /// Why `held` is replaced once the job sent ahead has run.
    private var retiring: String?

    /// How often the supervising thread looks at cancellation and deadlines while it waits for
    /// the child's next message. Messages themselves wake it at once.
    static let watchInterval = Duration.milliseconds(50)

    init(pool: ExecutorProcessPool) {
        self.pool = pool
    }

    /// The process kept for the job sent ahead into it, if one is: what a stuck or dead one looks
    /// like to the lane is tested through it.
    var heldProcessID: Int32? { held?.pid }

    /// Whether job `jobID` was sent ahead and has not run yet.
    func hasSentAhead(_ jobID: String) -> Bool {
        ahead?.input.jobID == jobID
    }

    /// How long to wait for the answer to a withdraw: the child's cancel thread answers at once,
    /// so a child that does not is stuck, and is replaced.
    private var withdrawPatience: Duration { max(pool.settings.killGrace, .seconds(1)) }

    /// Runs `request` through `executor`'s plugin in a child process, blocking the calling thread
    /// until the job ends (run it on a thread of its own, never one of Swift concurrency's pool),
    /// and sends `next` ahead into the same process when given. `stillRunning` is called on that
    /// thread once the job has run a watch interval, and after each interval more, whether or not
    /// the child reported meanwhile: the job runs long, and the caller may see to what waits for
    /// it (`withdrawAhead`). `withdrawn` is called when the child answers that the job sent ahead
    /// will not start: it is the caller's to hand back.
    func run(
        _ executor: LoadedExecutor, _ request: ExecutionRequest, sendingAhead next: Job? = nil,
        observer: any ExecutionObserver, cancellation: CancellationToken, stillRunning: () -> Void = {},
        withdrawn: () -> Void = {}
    ) -> ExecutionOutcome {
        let started = ContinuousClock.now
        let name =
            "plugin \(executor.plugin.name) \(executor.plugin.version) (\(executor.manifest.jobType) "
            + "\(executor.manifest.version))"
        func ended(_ status: ExecutionOutcome.Status, _ message: String) -> ExecutionOutcome {
            ExecutionOutcome(status: status, message: message, duration: ContinuousClock.now - started)
        }

        // The process, and whether this job's run is in its pipe already.
        var process: ExecutorProcess?
        var sent = false
        if let sentAhead = ahead, sentAhead.input.jobID == request.jobID, sentAhead.input.attempt == request.attempt,
            let holding = held
        {
            ahead = nil
            held = nil
            process = holding
            sent = true
            if sentAhead.withdrawing {
                switch awaitWithdrawal(of: sentAhead, from: holding) {
                case .started:
                    break
                case .withdrawn:
                    // Taken back in time, and the job before it has ended since: it runs here.
                    sent = false
                case .lost:
                    discard(holding)
                    process = nil
                    sent = false
                }
            }
        } else if let holding = held {
            // A job sent ahead that is not this one: the slot runs its jobs in order and hands
            // back a withdrawn one before going on, so this is a slip. That process's pipe holds a
            // run nobody follows: replace it.
            logger.error(
                "a job sent ahead to an executor process was not run next; replacing the process",
                metadata: ["job": "\(ahead?.input.jobID ?? "")", "next": "\(request.jobID)", "pid": "\(holding.pid)"])
            discard(holding)
        }

        if !sent {
            // Checked here, where the parameters are a tree already: the child gets them as text and
            // hands that to the plugin as it is. (A job sent ahead was checked before it was sent.)
            if var rejected = executor.rejection(of: request.parameters) {
                if let process { checkIn(process) }
                rejected.duration = ContinuousClock.now - started
                return rejected
            }
        }
        let running: ExecutorProcess
        if let process {
            running = process
        } else {
            do {
                running = try pool.checkOut()
            } catch {
                return ended(.retryableFailure, "cannot run \(name): no executor process: \(error)")
            }
        }

        var messages: [ExecutorMessage] = sent ? [] : [.run(jobType: executor.manifest.jobType, input: request.input)]
        var sending: SentAhead?
        if let next, retiring == nil, !cancellation.isCancelled,
            next.executor.rejection(of: next.request.parameters) == nil
        {
            sending = SentAhead(jobType: next.executor.manifest.jobType, input: next.request.input)
            messages.append(.run(jobType: next.executor.manifest.jobType, input: next.request.input))
        }
        if !messages.isEmpty {
            do {
                try running.requests.send(messages)
            } catch {
                discard(running)
                // Unless this job was sent before, it died between the check and the request:
                // nothing of the job ran. Otherwise its end of file says how it died.
                if !sent {
                    return ended(
                        .retryableFailure, "cannot run \(name): its executor process \(running.pid) is gone: \(error)")
                }
                sending = nil
            }
        }
        if let sending {
            ahead = sending
            held = running
        }

        return watch(
            running, executor: executor, request: request, name: name, started: started, observer: observer,
            cancellation: cancellation, stillRunning: stillRunning, withdrawn: withdrawn)
    }

    /// Follows the job running in `process` to its end.
    private func watch(
        _ process: ExecutorProcess, executor: LoadedExecutor, request: ExecutionRequest, name: String,
        started: ContinuousClock.Instant, observer: any ExecutionObserver, cancellation: CancellationToken,
        stillRunning: () -> Void, withdrawn: () -> Void
    ) -> ExecutionOutcome {
        func ended(_ status: ExecutionOutcome.Status, _ message: String) -> ExecutionOutcome {
            ExecutionOutcome(status: status, message: message, duration: ContinuousClock.now - started)
        }
        let settings = pool.settings
        // The child enforces the timeout itself (the plugin sees is_cancelled); this deadline is
        // for a plugin that does not look.
        let killDeadline = request.timeout.map { started + $0 + settings.killGrace }
        var cancelSent: ContinuousClock.Instant?
        // On the clock, not on the child's silence: a plugin reporting progress every few
        // milliseconds runs long all the same, and what waits for it must not wait its whole run.
        var nextStillRunning = started + Self.watchInterval
        while true {
            let now = ContinuousClock.now
            if now >= nextStillRunning {
                nextStillRunning = now + Self.watchInterval
                stillRunning()
            }
            if cancellation.isCancelled, cancelSent == nil {
                cancelSent = now
                try? process.cancels.send([.cancel(jobID: request.jobID, attempt: request.attempt)])
            }
            if let cancelSent, now - cancelSent > settings.killGrace {
                logger.warning(
                    "killing an executor process: its plugin ignored cancellation",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)"])
                discard(process)
                return ended(
                    .cancelled,
                    "cancelled; \(name) did not stop within \(settings.killGrace.formattedSeconds) of being cancelled, so its "
                        + "process was killed")
            }
            if let killDeadline, let timeout = request.timeout, now > killDeadline {
                logger.warning(
                    "killing an executor process: its plugin ignored the job's timeout",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)"])
                discard(process)
                return ended(
                    .timedOut,
                    "timed out after \(timeout.formattedSeconds); \(name) did not stop within \(settings.killGrace.formattedSeconds) more, so its "
                        + "process was killed")
            }

            let event: FrameChannel.ReadResult
            if !early.isEmpty {
                event = .message(early.removeFirst())
            } else {
                do {
                    event = try process.events.read(timeout: Self.watchInterval)
                } catch {
                    discard(process)
                    return ended(.crashed, "\(name) broke the executor protocol (\(error)); its process was killed")
                }
            }
            switch event {
            case .idle:
                continue
            case .closed:
                // The child's end closed: it is dying or dead. Its wait status says how.
                let how = process.waitForExit(patience: .seconds(2))
                discard(process)
                logger.error(
                    "executor process died mid-job",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)", "how": "\(how)"])
                return ended(.crashed, "\(name) \(how)")
            case .message(let message):
                switch message {
                case .log(let level, let message):
                    observer.executorLogged(level, message)
                case .progress(let fraction, let message):
                    observer.executorProgressed(fraction, message)
                case .withdrawal(let jobID, let attempt, let wasWithdrawn):
                    guard let sentAhead = ahead, sentAhead.withdrawing, sentAhead.input.jobID == jobID,
                        sentAhead.input.attempt == attempt
                    else { continue }
                    if wasWithdrawn {
                        ahead = nil
                        withdrawn()
                    } else {
                        // It started, so this job has ended and its outcome was read: the answer
                        // cannot come here. Should it, the job runs here when its turn comes.
                        ahead?.withdrawing = false
                    }
                case .outcome(let outcome):
                    finished(process, after: ContinuousClock.now - started)
                    return outcome
                default:
                    discard(process)
                    return ended(
                        .crashed, "\(name) broke the executor protocol (unexpected \(message)); its process was killed")
                }
            }
        }
    }

    /// Asks the child for the job sent ahead back, if one was sent (once): its answer comes while
    /// the current job runs (`withdrawn` is called then), or when the job's turn comes. Returns
    /// whether a job is sent ahead: the caller hands it back only on that answer.
    @discardableResult
    func withdrawAhead() -> Bool {
        guard var sentAhead = ahead, let process = held else { return false }
        if !sentAhead.withdrawing {
            // A child that cannot be written to is dying: its end of file ends the current job,
            // and the job sent ahead, never started, is sent again on its turn.
            try? process.cancels.send([.withdraw(jobID: sentAhead.input.jobID, attempt: sentAhead.input.attempt)])
            sentAhead.withdrawing = true
            ahead = sentAhead
        }
        return true
    }

    /// Takes the job sent ahead back before anything else happens (between jobs: the worker is
    /// stopping). True when it will not start (or none was sent); false when it has started, and
    /// runs when its turn comes.
    func withdrawAheadNow() -> Bool {
        guard let sentAhead = ahead, let process = held else { return true }
        withdrawAhead()
        switch awaitWithdrawal(of: sentAhead, from: process) {
        case .started:
            ahead?.withdrawing = false
            return false
        case .withdrawn:
            ahead = nil
            held = nil
            checkIn(process)
            return true
        case .lost:
            // No answer: the process is gone or stuck. If it had started the job, the job is
            // handed back uncounted rather than as a crash, one job once: the slot stops anyway.
            discard(process)
            return true
        }
    }

    /// Gives back a process still held (the slot ends).
    func close() {
        if let held { discard(held) }
    }

    private enum WithdrawAnswer {
        case withdrawn
        case started
        /// No answer: the process died, broke the protocol or did not answer in time.
        case lost
    }

    /// Reads `process`'s events up to the answer to the withdraw of `sentAhead`. The job before it
    /// has ended (its outcome was read), so any other event is the job's own, kept for its turn.
    private func awaitWithdrawal(of sentAhead: SentAhead, from process: ExecutorProcess) -> WithdrawAnswer {
        let deadline = ContinuousClock.now + withdrawPatience
        while ContinuousClock.now < deadline {
            let event: FrameChannel.ReadResult
            do {
                event = try process.events.read(timeout: Self.watchInterval)
            } catch {
                return .lost
            }
            switch event {
            case .idle:
                continue
            case .closed:
                return .lost
            case .message(.withdrawal(let jobID, let attempt, let withdrawn))
            where jobID == sentAhead.input.jobID && attempt == sentAhead.input.attempt:
                if withdrawn { early = [] }
                return withdrawn ? .withdrawn : .started
            case .message(let message):
                early.append(message)
            }
        }
        logger.error(
            "executor process did not answer a withdraw; replacing it",
            metadata: ["job": "\(sentAhead.input.jobID)", "pid": "\(process.pid)"])
        return .lost
    }

    /// After a job's outcome: the process stays held for the job sent ahead into it, or goes back
    /// to the pool (replaced if it reached a limit).
    private func finished(_ process: ExecutorProcess, after duration: Duration) {
        let limit = pool.countJob(process, after: duration)
        if ahead != nil {
            held = process
            if retiring == nil { retiring = limit }
        } else {
            held = nil
            checkIn(process, limit: limit)
        }
    }

    private func checkIn(_ process: ExecutorProcess, limit: String? = nil) {
        defer { retiring = nil }
        if let reason = limit ?? retiring {
            pool.retire(process, because: reason)
        } else {
            pool.keep(process)
        }
    }

    /// Kills a process that died, broke the protocol or would not stop, with whatever was sent
    /// ahead into it: that job never started, and is sent again on its turn.
    private func discard(_ process: ExecutorProcess) {
        if held === process {
            held = nil
            ahead = nil
        }
        early = []
        retiring = nil
        pool.discard(process)
    }
}
