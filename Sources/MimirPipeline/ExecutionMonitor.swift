#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress as reported to the caller.
public struct PipelineProgress: Sendable, Hashable {
    /// Bytes read so far from every input file (the main source and join inputs).
    public let bytesRead: Int64
    /// Total size of the input files, known up front from their sizes.
    public let totalBytes: Int64
    /// Records read so far from every input.
    public let rowsRead: Int64
    public let seconds: Double

    /// 0…1, by bytes; useful for a progress bar.
    public var fraction: Double {
        totalBytes > 0 ? min(1, Double(bytesRead) / Double(totalBytes)) : 0
    }
}

/// Hooks the caller supplies for one run.
public struct PipelineRunOptions {
    /// Called at most once per `progressInterval` while data is read, and once at the end.
    public var progress: ((PipelineProgress) -> Void)?
    public var progressInterval: Double
    /// Polled once per batch of rows read (about every thousand rows); returning true stops the
    /// run with `PipelineError.cancelled` and removes partial outputs.
    public var isCancelled: () -> Bool

    public init(
        progress: ((PipelineProgress) -> Void)? = nil, progressInterval: Double = 0.1,
        isCancelled: @escaping () -> Bool = { false }
    ) {
        self.progress = progress
        self.progressInterval = progressInterval
        self.isCancelled = isCancelled
    }
}

/// Shared by every reader of a run: counts bytes and rows, throttles progress callbacks and
/// polls cancellation. Readers call `tick` once per batch, so blocking steps (sort, group-by,
/// the join's build side) stay cancellable while they consume their input.
final class ExecutionMonitor {
    private let options: PipelineRunOptions
    let totalBytes: Int64
    private(set) var bytesRead: Int64 = 0
    private(set) var rowsRead: Int64 = 0
    private let started = MonotonicClock.now()
    private var lastReport = 0.0

    init(options: PipelineRunOptions, totalBytes: Int64) {
        self.options = options
        self.totalBytes = totalBytes
    }

    var elapsed: Double { MonotonicClock.now() - started }

    func addBytes(_ count: Int) { bytesRead += Int64(count) }

    func tick(rows: Int) throws(PipelineError) {
        rowsRead += Int64(rows)
        if options.isCancelled() { throw .cancelled }
        guard let progress = options.progress else { return }
        let now = elapsed
        if now - lastReport >= options.progressInterval {
            lastReport = now
            progress(snapshot(at: now))
        }
    }

    func finish() {
        options.progress?(snapshot(at: elapsed))
    }

    private func snapshot(at seconds: Double) -> PipelineProgress {
        PipelineProgress(bytesRead: bytesRead, totalBytes: totalBytes, rowsRead: rowsRead, seconds: seconds)
    }
}

enum MonotonicClock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
