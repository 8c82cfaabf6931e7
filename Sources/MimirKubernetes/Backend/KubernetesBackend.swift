import MimirCore
import MimirScaling

/// Workers as Kubernetes Jobs, one per worker. The API server is the only record: inventory and
/// events come from listing the Jobs and pods that carry this orchestrator's labels, so a restarted
/// orchestrator sees the workers its predecessor started. Jobs are never deleted to scale in
/// (workers leave when idle); only Jobs that already ended, or whose pod can never start, are.
public actor KubernetesBackend: WorkerBackend {
    public nonisolated let name = "kubernetes"
    public nonisolated let client: KubernetesClient
    public nonisolated let settings: KubernetesJobSettings
    /// Delete ended Jobs once reported; on by default only when no TTL controller will.
    public nonisolated let deleteFinishedJobs: Bool
    /// Delete a Job whose pod cannot pull its image or lacks its Secret, once reported: it would
    /// otherwise sit in inventory until its deadline, a worker the scaler counts but never gets.
    public nonisolated let deleteJobsThatCannotStart: Bool

    private var tracker = EventTracker()
    private var isShutDown = false
    /// The last error met while draining events (`drainEvents` cannot throw), for logs and tests.
    public private(set) var lastDrainError: KubernetesError?

    public init(
        client: KubernetesClient, settings: KubernetesJobSettings = .init(), deleteFinishedJobs: Bool? = nil,
        deleteJobsThatCannotStart: Bool = true
    ) {
        self.client = client
        self.settings = settings
        self.deleteFinishedJobs = deleteFinishedJobs ?? (settings.ttlSecondsAfterFinished == nil)
        self.deleteJobsThatCannotStart = deleteJobsThatCannotStart
    }

    private var selector: String { WorkerLabels.selector(orchestrator: settings.orchestrator) }

    public func inventory() async throws -> [BackendWorker] {
        let jobs = try await client.listJobs(labelSelector: selector).compactMap(WorkerJob.init)
        return
            jobs
            .filter { $0.outcome == nil && !$0.isBeingDeleted && !tracker.cannotStart($0) }
            .sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
            .map { BackendWorker(workerID: $0.workerID, image: $0.image, startedAt: $0.createdAt) }
    }

    /// Returns once the API server has stored the Job; the pod starts after that, and a pod that
    /// cannot start is reported by `drainEvents`.
    public func launch(_ launch: WorkerLaunch) async throws {
        guard !isShutDown else {
            throw KubernetesJobSpecError(message: "the Kubernetes backend is shut down: no worker launched")
        }
        // A random suffix collides rarely; when it does (409 AlreadyExists), pick another.
        for attempt in 1...3 {
            let spec = try KubernetesJobSpec(launch: launch, settings: settings)
            do throws(KubernetesError) {
                try await client.createJob(spec.manifest)
                return
            } catch {
                if error.isAlreadyExists, attempt < 3 { continue }
                throw error
            }
        }
    }

    public func drainEvents() async -> [BackendEvent] {
        let jobs: [WorkerJob]
        let pods: [WorkerPod]
        do throws(KubernetesError) {
            jobs = try await client.listJobs(labelSelector: selector).compactMap(WorkerJob.init)
            pods = try await client.listPods(labelSelector: selector).compactMap(WorkerPod.init)
        } catch {
            lastDrainError = error
            return []
        }
        lastDrainError = nil
        let review = tracker.review(jobs: jobs, pods: pods, now: KubernetesTimestamp.now())
        var deletions = deleteJobsThatCannotStart ? review.jobsToDelete : []
        if deleteFinishedJobs { deletions += review.endedJobs }
        for job in deletions {
            do throws(KubernetesError) {
                try await client.deleteJob(named: job)
            } catch {
                // Not found: gone already (TTL controller, a person, another drain).
                if !error.isNotFound { lastDrainError = error }
            }
        }
        return review.events
    }

    public func shutdown() async {
        isShutDown = true
    }
}
