/// Where a worker runs executors.
public enum ExecutorIsolation: Sendable {
    /// In the worker's own process: the cheapest, but a plugin that crashes takes the worker, and
    /// every job it runs, down with it. For measurements and `mimir-worker run`.
    case none
    /// In supervised child processes, one job at a time each (docs/executor-isolation.md).
    case processes(ExecutorProcessPool)
}

/// How executor processes are started, limited and stopped.
public struct ExecutorProcessSettings: Sendable {
    /// The program to start (the worker's own binary) and its arguments, which make it an
    /// executor process (`mimir-worker executor-process --plugin-dir ...`). A worker gives
    /// `/proc/self/exe`: the binary it runs even if an upgrade has replaced the file since, so its
    /// children always speak its protocol.
    public var executable: String
    /// The child's `argv[0]`, and the program's name in messages.
    public var programName: String
    public var arguments: [String]
    /// Processes kept warm: the worker's slots.
    public var processes: Int
    /// A process is replaced after this many jobs (`nil`: never), like Celery's max-tasks-per-child.
    public var maximumJobsPerProcess: Int?
    /// A process whose resident memory exceeds this after a job is replaced (`nil`: never), like
    /// Celery's max-memory-per-child: a plugin that leaks cannot grow without bound.
    public var maximumResidentBytes: Int64?
    /// How long a cancelled job (cancel request, drain, timeout) may take to stop before its
    /// process is killed: the plugin may ignore cancellation.
    public var killGrace: Duration
    /// How long a new process may take to load its plugins and say it is ready.
    public var startTimeout: Duration

    public init(
        executable: String, programName: String? = nil, arguments: [String], processes: Int,
        maximumJobsPerProcess: Int? = nil,
        maximumResidentBytes: Int64? = 1 << 30, killGrace: Duration = .seconds(5), startTimeout: Duration = .seconds(60)
    ) {
        self.executable = executable
        self.programName = programName ?? executable
        self.arguments = arguments
        self.processes = max(1, processes)
        self.maximumJobsPerProcess = maximumJobsPerProcess
        self.maximumResidentBytes = maximumResidentBytes
        self.killGrace = killGrace
        self.startTimeout = startTimeout
    }
}
