import Metrics
import MimirQueue
import Prometheus
import Synchronization

/// The orchestrator's metrics, exported in Prometheus text format at `/metrics`. Job counters
/// are counted where jobs change hands; queue gauges are sampled from Redis by `QueueMaintenance`;
/// HTTP request latency histograms come from `RequestMetricsMiddleware`.
final class OrchestratorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Counters bumped on every request, by label and dimension values: making a `Counter` asks
    /// the factory, which takes its lock and hashes the label and every dimension to find the
    /// series. Job types and statuses are few, so this stays small.
    private let perRequestCounters = Mutex<[String: Metrics.Counter]>([:])

    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The process-wide registry. `MetricsSystem` can be bootstrapped once per process, so a
    /// second orchestrator in the same process (tests) shares the first one's registry.
    init() {
        registry = Self.bootstrapped.withLock { existing in
            if let existing { return existing }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            existing = registry
            return registry
        }
    }

    func submitted(type: String, count: Int = 1) {
        counter("mimir_jobs_submitted_total", [("type", type)]).increment(by: count)
    }

    /// An attempt ended; `status` is where the job went (succeeded, failed, dead, cancelled, or
    /// queued for a retry).
    func attemptEnded(type: String, status: JobStatus) {
        counter("mimir_job_attempts_finished_total", [("type", type), ("status", status.rawValue)]).increment()
    }

    func reaped(_ report: ReapReport) {
        if report.requeued > 0 {
            Counter(label: "mimir_leases_expired_total", dimensions: [("outcome", "requeued")]).increment(
                by: report.requeued)
        }
        if report.dead > 0 {
            Counter(label: "mimir_leases_expired_total", dimensions: [("outcome", "dead")]).increment(by: report.dead)
        }
    }

    func sampled(_ stats: QueueStats) {
        for depth in stats.depths {
            Gauge(label: "mimir_queue_depth", dimensions: [("type", depth.type)]).record(depth.ready)
        }
        for status in JobStatus.allCases {
            Gauge(label: "mimir_jobs", dimensions: [("status", status.rawValue)]).record(stats.counts[status] ?? 0)
        }
        Gauge(label: "mimir_jobs_delayed").record(stats.delayed)
        Gauge(label: "mimir_jobs_in_flight").record(stats.inFlight)
    }

    func redisReachable(_ reachable: Bool) {
        Gauge(label: "mimir_redis_up").record(reachable ? 1 : 0)
    }

    func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Counter {
        // Label and values are identifiers (no NUL), so NUL-joined they name one series.
        var key = label
        for (_, value) in dimensions {
            key.append("\u{0}")
            key.append(value)
        }
        return perRequestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(label: label, dimensions: dimensions)
            counters[key] = counter
            return counter
        }
    }
}

extension OrchestratorMetrics {
    /// One image's numbers from a scaler pass.
    func scaled(image: String, desired: Int, busy: Int, idle: Int, starting: Int, pending: Int) {
        for (state, count) in [("desired", desired), ("busy", busy), ("idle", idle), ("starting", starting)] {
            Gauge(label: "mimir_scaler_workers", dimensions: [("image", image), ("state", state)]).record(count)
        }
        Gauge(label: "mimir_scaler_pending_jobs", dimensions: [("image", image)]).record(pending)
    }

    func launched(image: String, succeeded: Bool) {
        Counter(
            label: "mimir_scaler_launches_total",
            dimensions: [("image", image), ("outcome", succeeded ? "started" : "failed")]
        ).increment()
    }

    func backendEvent(image: String, kind: String) {
        Counter(label: "mimir_scaler_backend_events_total", dimensions: [("image", image), ("kind", kind)]).increment()
    }
}
