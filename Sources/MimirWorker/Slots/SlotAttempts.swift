import MimirPluginHost
import MimirQueue

/// A slot's jobs on the renewer's clock that are not running: those taken ahead, waiting their
/// turn, and those run whose ends the slot holds for its next report. Both stay leased in Redis
/// until then, so their leases are renewed and a cancel request reaches a waiting one; a job is
/// never run twice because its slot was slow to report it. Belongs to the slot's thread.
final class SlotAttempts {
    private let renewer: LeaseRenewer
    private var waiting: [String: LeaseRenewer.Attempt] = [:]
    private var held: [LeaseRenewer.Attempt] = []

    init(renewer: LeaseRenewer) {
        self.renewer = renewer
    }

    /// Puts the jobs taken ahead on the clock (those not on it yet).
    func wait(for jobs: [JobRecord]) {
        for job in jobs where waiting[job.id] == nil { waiting[job.id] = onClock(job.id) }
    }

    /// The attempt to run `job` with: the one it waited with, or a new one on the clock.
    func start(_ job: JobRecord) -> LeaseRenewer.Attempt {
        waiting.removeValue(forKey: job.id) ?? onClock(job.id)
    }

    /// A job that ran, whose end waits for the next report.
    func hold(_ attempt: LeaseRenewer.Attempt) {
        held.append(attempt)
    }

    /// Takes the held jobs off the clock, before their ends are sent: a renewal must not follow
    /// the end of its job (see `LeaseRenewer.end`). Returns, by job, the log lines a renewal that
    /// failed put back after the job's end had taken its lines: they go with the end.
    func endHeld() -> [(jobID: String, lines: [LogLine])] {
        var putBack: [(jobID: String, lines: [LogLine])] = []
        for attempt in held {
            renewer.end(attempt)
            let lines = attempt.reporter.drain().lines
            if !lines.isEmpty { putBack.append((attempt.jobID, lines)) }
        }
        held = []
        return putBack
    }

    /// Puts jobs whose ends could not be sent back on the clock, held for the next report.
    func holdAgain(_ ids: [String]) {
        held += ids.map(onClock)
    }

    /// Takes jobs off the clock that will not run here (given back, or not servable).
    func forget(_ ids: [String]) {
        for id in ids {
            if let attempt = waiting.removeValue(forKey: id) { renewer.end(attempt) }
        }
    }

    /// A new attempt for job `id`, registered with the renewer.
    private func onClock(_ id: String) -> LeaseRenewer.Attempt {
        let attempt = LeaseRenewer.Attempt(jobID: id, reporter: AttemptReporter(), cancellation: CancellationToken())
        renewer.register(attempt)
        return attempt
    }
}
