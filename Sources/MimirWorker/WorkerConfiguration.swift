/// How a worker takes and runs jobs.
public struct WorkerConfiguration: Sendable {
    public var workerID: String
    /// Jobs run at once.
    public var slots: Int
    /// How long the worker holds a job between renewals; the reaper requeues it after that.
    public var leaseDuration: Duration
    /// How often a running job's lease is renewed, its progress and logs sent, and a cancel
    /// request looked for (at most 1 s, so a cancel reaches the executor within a second).
    public var reportInterval: Duration
    /// Longest pause between two looks at an empty queue.
    public var maximumPollInterval: Duration
    /// On SIGTERM: how long running jobs may take to finish before they are stopped and handed back.
    public var drainGrace: Duration
    /// What the worker offers jobs: GPUs, CPU and memory (jobs asking for more are left to others).
    public var gpus: Int
    public var cpuMillicores: Int64
    public var memoryBytes: Int64
    /// When set, a worker idle this long asks the orchestrator whether it may retire (and, with no
    /// orchestrator, leaves): how started workers scale in without a busy one ever being stopped.
    public var idleTimeout: Duration?
    /// Most jobs a slot takes in one round trip when their types run short (`RunLengths`): the
    /// next job and the ones it takes ahead. 1 takes none ahead.
    public var prefetch: Int
    /// A job type whose runs average less than this counts as short, for `prefetch`.
    public var shortJob: Duration

    public init(
        workerID: String, slots: Int = 1, leaseDuration: Duration = .seconds(15),
        reportInterval: Duration = .milliseconds(500),
        maximumPollInterval: Duration = .milliseconds(200), drainGrace: Duration = .seconds(30), gpus: Int = 0,
        cpuMillicores: Int64 = 1000, memoryBytes: Int64 = 1 << 30, idleTimeout: Duration? = nil, prefetch: Int = 8,
        shortJob: Duration = .milliseconds(2)
    ) {
        self.prefetch = max(prefetch, 1)
        self.shortJob = shortJob
        self.idleTimeout = idleTimeout
        self.gpus = gpus
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
        self.workerID = workerID
        self.slots = slots
        self.leaseDuration = leaseDuration
        self.reportInterval = min(reportInterval, .seconds(1))
        self.maximumPollInterval = maximumPollInterval
        self.drainGrace = drainGrace
    }
}
