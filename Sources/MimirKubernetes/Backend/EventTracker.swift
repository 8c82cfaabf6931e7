import MimirScaling

/// Turns snapshots of Jobs and pods into events, each at most once per Job (by uid, so a new Job
/// that reuses a name is a new worker). Forgets Jobs that are gone, so it stays as small as the
/// namespace's list.
struct EventTracker {
    struct Review {
        var events: [BackendEvent] = []
        /// Ended Jobs (already reported), for a backend that deletes them itself.
        var endedJobs: [String] = []
        /// Jobs whose pod can never start by itself, reported now.
        var jobsToDelete: [String] = []
    }

    private var reportedEnded: Set<String> = []
    /// Reported start problems that waiting may fix (unschedulable for now).
    private var reportedWaiting: Set<String> = []
    /// Reported start problems that waiting will not fix: such Jobs leave the inventory.
    private var unstartable: Set<String> = []

    func cannotStart(_ job: WorkerJob) -> Bool {
        unstartable.contains(job.uid)
    }

    mutating func review(jobs: [WorkerJob], pods: [WorkerPod], now: Int64) -> Review {
        var review = Review()
        var podsByJob: [String: [WorkerPod]] = [:]
        for pod in pods {
            if let jobName = pod.jobName { podsByJob[jobName, default: []].append(pod) }
        }
        for job in jobs.sorted(by: { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }) {
            let jobPods = podsByJob[job.name] ?? []
            if let outcome = job.outcome {
                review.endedJobs.append(job.name)
                guard reportedEnded.insert(job.uid).inserted else { continue }
                // A Job that never started was reported as such; its end is no news.
                if unstartable.contains(job.uid) { continue }
                review.events.append(Self.endEvent(job, outcome, pods: jobPods, now: now))
                continue
            }
            guard !job.isBeingDeleted, !unstartable.contains(job.uid),
                let problem = jobPods.lazy.compactMap(\.problem).first
            else { continue }
            if problem.mayResolve {
                // Reported once while it waits; a later problem that needs a person is still news.
                guard reportedWaiting.insert(job.uid).inserted else { continue }
            } else {
                unstartable.insert(job.uid)
                review.jobsToDelete.append(job.name)
            }
            review.events.append(
                BackendEvent(
                    kind: .failedToStart, workerID: job.workerID, image: job.image,
                    message: "\(problem.reason): \(problem.message)", at: now))
        }
        let present = Set(jobs.map(\.uid))
        reportedEnded.formIntersection(present)
        reportedWaiting.formIntersection(present)
        unstartable.formIntersection(present)
        return review
    }

    private static func endEvent(_ job: WorkerJob, _ outcome: WorkerJob.Outcome, pods: [WorkerPod], now: Int64)
        -> BackendEvent
    {
        let termination = pods.lazy.compactMap(\.termination).first
        // An ended Job starts no pod again (backoffLimit 0); once each of its pods has ended too,
        // nothing runs as the worker. A pod still terminating (a deadline, a deletion) may still
        // report, and with no pod listed nothing says how it ended: then its jobs are left to
        // their leases.
        let gone = !pods.isEmpty && pods.allSatisfy(\.hasEnded)
        switch outcome {
        case .complete(let at):
            return BackendEvent(
                kind: .exited, workerID: job.workerID, image: job.image,
                message: "Job \(job.name) completed" + (termination.map { ": \($0)" } ?? ""), at: at ?? now,
                workerGone: gone)
        case .failed(let reason, let message, let at):
            var text = "Job \(job.name) failed: \(reason)"
            if !message.isEmpty { text += ": \(message)" }
            if let termination { text += "; \(termination)" }
            return BackendEvent(
                kind: .crashed, workerID: job.workerID, image: job.image, message: text, at: at ?? now, workerGone: gone
            )
        }
    }
}
