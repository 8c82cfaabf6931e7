import Logging
import MimirCore
import MimirQueue
import MimirScaling
import Synchronization

/// Starts workers by queue depth, per image: every pass it reads the ready jobs (grouped by what
/// they need), the live workers and those still starting, assigns the backlog to images
/// (`ImageAssignment`), asks `ScalingPolicy` for each image's desired count, and launches the
/// difference through the backend. Idle workers ask to retire (`mayRetire`); the scaler never
/// stops a busy one.
final class Scaler: Sendable {
    struct Status: Sendable {
        var image: String
        var desired = 0
        var busy = 0
        var idle = 0
        var starting = 0
        var pending = 0
        var minimum = 0
        var maximum = Int.max
        var launchable = false
        var reason = ""

        var present: Int { busy + idle + starting }
    }

    struct Record: Sendable {
        var at: Int64
        var image: String
        var kind: String
        var message: String
    }

    private struct State {
        var statuses: [String: Status] = [:]
        var records: [Record] = []
        var retiring: [String: (image: String, at: Int64)] = [:]
        var unserved: [ImageAssignment.Unserved] = []
        var orchestratorURL = ""
        var lastError: String?
        /// Job types no worker was there for at the last pass (none live, none starting) that an
        /// image this backend can start serves: a submission of one asks for a pass at once.
        var unattended: Set<String> = []
        /// The types submitted while a pass is under way (nil between passes): `unattended` is
        /// the last pass's until it ends, so such a submission is judged again at its end.
        var submittedDuringPass: Set<String>?
    }

    static let recordLimit = 100

    let backend: (any WorkerBackend)?
    let settings: ScalerSettings
    let policy: ScalingPolicy.Settings
    let queue: JobQueue
    let workers: WorkerDirectory
    let catalog: CapabilityCatalog
    let metrics: OrchestratorMetrics
    let logger: Logger
    /// Environment every launched worker gets (REDIS_NAMESPACE; for local workers also REDIS_URL, ...).
    let workerEnvironment: [String: String]
    private let state = Mutex(State())
    /// Ends the wait between passes early (`ScalerService`).
    let passSignal = PassSignal()

    init(
        backend: (any WorkerBackend)?, settings: ScalerSettings, policy: ScalingPolicy.Settings, queue: JobQueue,
        workers: WorkerDirectory, catalog: CapabilityCatalog, metrics: OrchestratorMetrics, logger: Logger,
        workerEnvironment: [String: String]
    ) {
        self.backend = backend
        self.settings = settings
        self.policy = policy
        self.queue = queue
        self.workers = workers
        self.catalog = catalog
        self.metrics = metrics
        self.logger = logger
        self.workerEnvironment = workerEnvironment
        state.withLock { $0.orchestratorURL = settings.advertisedURL }
        // A worker that ended is looked at now: its jobs go back to the queue, its replacement starts.
        backend?.notifyOnEvents { [passSignal] in passSignal.signal() }
    }

    func listening(on port: Int) {
        let url = settings.advertisedURL.isEmpty ? "http://127.0.0.1:\(port)" : settings.advertisedURL
        state.withLock { $0.orchestratorURL = url }
        // The passes before had to wait for this: the first that can launch runs now.
        passSignal.signal()
    }

    private var now: Int64 { SystemQueueClock().nowMilliseconds() }

    /// Jobs of these types were accepted: if no worker was there for one of them at the last
    /// pass, the next pass runs now rather than at the end of the interval, so a job submitted to
    /// an idle fleet waits for a worker's start only. A lock and a set lookup per submission.
    func submitted<Types: Collection<String>>(types: Types) {
        let unattended = state.withLock { state in
            state.submittedDuringPass?.formUnion(types)
            return types.contains { state.unattended.contains($0) }
        }
        if unattended { passSignal.signal() }
    }

    /// One look at the queue and the workers, and the launches it calls for.
    func pass() async {
        guard let backend else { return await observeOnly() }
        // A worker started before the server listens would not know where to register.
        guard !state.withLock({ $0.orchestratorURL.isEmpty }) else { return }
        state.withLock { $0.submittedDuringPass = [] }
        do {
            let started = try await backend.inventory()
            for event in await backend.drainEvents() {
                record(event)
                await releaseJobs(of: event)
            }
            let live = try await liveWorkers()
            let groups = try await queue.pendingWork()
            let snapshot = catalog.snapshot
            let images = snapshot.providers.filter { $0.kind == .image }
            let assignment = ImageAssignment(groups: groups, images: images, canStart: { self.canStart($0) })
            let registered = Set(live.map(\.id))
            var statuses: [String: Status] = [:]
            for image in Set(images.map(\.name)).union(started.map(\.image)).union(live.compactMap(Self.image)) {
                var status = Status(image: image)
                status.pending = assignment.pending[image] ?? 0
                status.busy = live.filter { Self.image($0) == image && !$0.runningJobs.isEmpty }.count
                status.idle = live.filter { Self.image($0) == image && $0.runningJobs.isEmpty }.count
                status.starting = started.filter { $0.image == image && !registered.contains($0.workerID) }.count
                let declared = snapshot.images.first { $0.record.name == image }?.record.declared
                status.minimum = Int(declared?["min_workers"]?.int64Value ?? 0)
                status.maximum = Int(declared?["max_workers"]?.int64Value ?? Int64(policy.maximumWorkers))
                status.launchable = canStart(image)
                statuses[image] = status
            }
            let defaultImage = Self.defaultImage(statuses: statuses, images: images)
            let loads = statuses.values.sorted { $0.image < $1.image }.map { status in
                ScalingPolicy.ImageLoad(
                    image: status.image, pending: status.pending, busy: status.busy, idle: status.idle,
                    starting: status.starting, minimum: status.minimum, maximum: status.maximum,
                    launchable: status.launchable, isDefault: status.image == defaultImage)
            }
            let decisions = ScalingPolicy.decide(loads, settings: policy)
            for decision in decisions {
                statuses[decision.image]?.desired = decision.desired
                statuses[decision.image]?.reason = decision.reason
            }
            let present = registered.union(started.map(\.workerID))
            state.withLock {
                $0.statuses = statuses
                $0.unserved = assignment.unserved
                $0.lastError = nil
                // A retiring worker that is gone no longer counts as leaving.
                $0.retiring = $0.retiring.filter { present.contains($0.key) }
            }
            for status in statuses.values {
                metrics.scaled(
                    image: status.image, desired: status.desired, busy: status.busy, idle: status.idle,
                    starting: status.starting, pending: status.pending)
            }
            for decision in decisions where decision.launch > 0 {
                guard let profile = profile(decision.image, snapshot: snapshot) else { continue }
                log(image: decision.image, kind: "scale_up", decision.reason)
                var started = 0
                for _ in 0..<decision.launch where await launch(profile, backend: backend) { started += 1 }
                // Shown as starting at once, not only from the next pass.
                state.withLock { $0.statuses[decision.image]?.starting += started }
            }
            // The catalog is refreshed on its own schedule: a worker this pass found gone (its process
            // ended, its heartbeat stopped) may still be in it, and must not count as serving.
            let stillLive = snapshot.liveWorkers.filter { registered.contains($0.name) }
            let missed = state.withLock { state in
                state.unattended = Self.unattended(
                    images: images, statuses: state.statuses, live: stillLive, maximumWorkers: policy.maximumWorkers)
                defer { state.submittedDuringPass = nil }
                return state.submittedDuringPass?.isDisjoint(with: state.unattended) == false
            }
            // Submitted while this pass ran, judged by the last pass's view: one that now finds no
            // worker there for it gets the next pass at once, not at the end of the interval.
            if missed { passSignal.signal() }
        } catch {
            state.withLock { $0.submittedDuringPass = nil }
            let message = "scaler pass failed: \(error)"
            let repeated = state.withLock { state in
                defer { state.lastError = message }
                return state.lastError == message
            }
            if !repeated { logger.warning("\(message)") }
        }
    }

    /// The job types some image that can start serves while no worker serves them: none live
    /// (by the catalog) and none of an image with workers present or starting. None at
    /// `maximumWorkers` present: no pass could start one then.
    static func unattended(
        images: [CapabilityProvider], statuses: [String: Status], live: [CapabilityProvider], maximumWorkers: Int
    ) -> Set<String> {
        guard statuses.values.reduce(0, { $0 + $1.present }) < maximumWorkers else { return [] }
        var attended = Set(live.flatMap { $0.capabilities.map(\.jobType) })
        var startable = Set<String>()
        for image in images {
            guard let status = statuses[image.name] else { continue }
            let types = image.capabilities.map(\.jobType)
            if status.present > 0 {
                attended.formUnion(types)
            } else if status.launchable, status.maximum > 0 {
                startable.formUnion(types)
            }
        }
        return startable.subtracting(attended)
    }

    /// With no backend the scaler only reports what it sees.
    private func observeOnly() async {
        guard let live = try? await liveWorkers() else { return }
        var statuses: [String: Status] = [:]
        for worker in live {
            guard let image = Self.image(worker) else { continue }
            var status = statuses[image] ?? Status(image: image)
            if worker.runningJobs.isEmpty { status.idle += 1 } else { status.busy += 1 }
            status.desired = status.present
            statuses[image] = status
        }
        state.withLock { $0.statuses = statuses }
    }

    private func liveWorkers() async throws(QueueError) -> [WorkerRecord] {
        let now = self.now
        return try await workers.all().filter { now - $0.heartbeatAt <= CapabilityCatalog.lostAfter.milliseconds }
    }

    private static func image(_ worker: WorkerRecord) -> String? { worker.document["image"]?.stringValue }

    private func canStart(_ image: String) -> Bool {
        guard let backend else { return false }
        if let local = backend as? LocalProcessBackend { return local.canLaunch(image: image) }
        return true
    }

    /// The image that keeps MIN_WORKERS: the startable one serving the most job types, then by name.
    private static func defaultImage(statuses: [String: Status], images: [CapabilityProvider]) -> String? {
        images.filter { statuses[$0.name]?.launchable == true }
            .max {
                (Set($0.capabilities.map(\.jobType)).count, $1.name) < (
                    Set($1.capabilities.map(\.jobType)).count, $0.name
                )
            }?
            .name
    }

    private func profile(_ image: String, snapshot: CapabilityCatalog.Snapshot) -> WorkerImageProfile? {
        guard let record = snapshot.images.first(where: { $0.record.name == image })?.record else { return nil }
        let effective = record.reported ?? record.declared
        let resources = effective?["resources"]
        func quantity(_ key: String) -> String? {
            resources?[key].flatMap { $0.stringValue ?? ($0.doubleValue != nil ? $0.jsonText() : nil) }
        }
        return WorkerImageProfile(
            image: image, slots: Int(effective?["slots"]?.int64Value ?? 1),
            gpus: Int(resources?["gpu"]?.int64Value ?? 0), cpu: quantity("cpu"), memory: quantity("memory"))
    }

    /// Starts one worker; `false` when the backend could not.
    private func launch(_ profile: WorkerImageProfile, backend: any WorkerBackend) async -> Bool {
        let id = Self.workerID(for: profile.image)
        var environment = workerEnvironment
        environment["MIMIR_WORKER_ID"] = id
        environment["MIMIR_WORKER_IMAGE"] = profile.image
        environment["MIMIR_WORKER_SLOTS"] = String(profile.slots)
        environment["MIMIR_WORKER_GPUS"] = String(profile.gpus)
        environment["MIMIR_ORCHESTRATOR_URL"] = state.withLock { $0.orchestratorURL }
        environment["MIMIR_WORKER_IDLE_TIMEOUT"] = String(Double(settings.workerIdleTimeout.milliseconds) / 1000)
        if let cpu = profile.cpu { environment["MIMIR_WORKER_CPU"] = cpu }
        if let memory = profile.memory { environment["MIMIR_WORKER_MEMORY"] = memory }
        do {
            try await backend.launch(WorkerLaunch(workerID: id, profile: profile, environment: environment))
            metrics.launched(image: profile.image, succeeded: true)
            log(image: profile.image, kind: "launched", "started worker \(id)")
            return true
        } catch {
            metrics.launched(image: profile.image, succeeded: false)
            log(image: profile.image, kind: "launch_failed", "cannot start a worker: \(error)")
            return false
        }
    }

    /// `<image, as letters and digits>-<8 hex digits>`: unique, and readable in listings.
    static func workerID(for image: String) -> String {
        let slug = String(
            image.lowercased().unicodeScalars.map {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "-"
            }
        ).split(separator: "-").joined(separator: "-")
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return
            "\(slug.prefix(40).isEmpty ? "worker" : String(slug.prefix(40)))-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    /// Whether an idle worker may leave now; counts it as leaving if so.
    func mayRetire(workerID: String, image: String) -> Bool {
        let now = self.now
        return state.withLock { state in
            state.retiring = state.retiring.filter { now - $0.value.at < 60_000 }
            if state.retiring[workerID] != nil { return true }
            guard backend != nil, let status = state.statuses[image] else { return false }
            let retiring = state.retiring.values.filter { $0.image == image }.count
            guard status.pending == 0,
                ScalingPolicy.mayRetire(present: status.present, retiring: retiring, desired: status.desired)
            else { return false }
            state.retiring[workerID] = (image, now)
            return true
        }
    }

    /// A worker that died cannot finish its jobs: they go back to the queue now rather than when
    /// their leases expire (up to LEASE_SECONDS later), and the worker is forgotten, so this pass
    /// already counts it gone and starts a replacement (its registration would otherwise look
    /// alive until its last heartbeat is 15 s old). Only when the backend knows nothing runs as
    /// the worker any more, nor will under its id (`BackendEvent.workerGone`: a reaped local
    /// process; a failed Kubernetes Job whose pods have all ended), so no late report can race the
    /// next attempt. A clean exit is a drained worker: its jobs were finished or handed back, and
    /// it deregistered itself.
    private func releaseJobs(of event: BackendEvent) async {
        guard event.workerGone, event.kind != .exited else { return }
        do {
            let released = try await queue.releaseWorker(event.workerID, reason: event.message)
            try await workers.remove(id: event.workerID)
            metrics.reaped(released)
            if released.requeued + released.dead + released.cancelled > 0 {
                log(
                    image: event.image, kind: "jobs_released",
                    "worker \(event.workerID) is gone: \(released.requeued) job(s) requeued, \(released.dead) dead, "
                        + "\(released.cancelled) cancelled")
            }
        } catch {
            // The leases still expire: the reaper puts the jobs back later.
            logger.warning(
                "cannot release the jobs of a dead worker; their leases will expire",
                metadata: ["worker": "\(event.workerID)", "error": "\(error)"])
        }
    }

    private func record(_ event: BackendEvent) {
        metrics.backendEvent(image: event.image, kind: event.kind.rawValue)
        log(image: event.image, kind: event.kind.rawValue, "worker \(event.workerID): \(event.message)")
    }

    private func log(image: String, kind: String, _ message: String) {
        let entry = Record(at: now, image: image, kind: kind, message: message)
        state.withLock { state in
            state.records.append(entry)
            if state.records.count > Self.recordLimit {
                state.records.removeFirst(state.records.count - Self.recordLimit)
            }
        }
        let level: Logger.Level =
            kind == "crashed" || kind == "failed_to_start" || kind == "launch_failed" ? .warning : .notice
        logger.log(level: level, "scaler: \(message)", metadata: ["image": "\(image)", "event": "\(kind)"])
    }

    /// What `GET /api/scaling` shows.
    var statusDocument: JSONValue {
        state.withLock { state in
            let images: [JSONValue] = state.statuses.values.sorted { $0.image < $1.image }.map { status in
                [
                    "image": .string(status.image), "desired": .integer(Int64(status.desired)),
                    "running": .integer(Int64(status.busy + status.idle)), "busy": .integer(Int64(status.busy)),
                    "idle": .integer(Int64(status.idle)), "starting": .integer(Int64(status.starting)),
                    "pending": .integer(Int64(status.pending)), "min_workers": .integer(Int64(status.minimum)),
                    "max_workers": .integer(Int64(min(status.maximum, policy.maximumWorkers))),
                    "launchable": .bool(status.launchable), "reason": .string(status.reason),
                ]
            }
            let decisions: [JSONValue] = state.records.reversed().map { record in
                [
                    "at": .string(UTCTimestamp.format(milliseconds: record.at)), "image": .string(record.image),
                    "kind": .string(record.kind), "message": .string(record.message),
                ]
            }
            let unserved: [JSONValue] = state.unserved.map {
                ["type": .string($0.type), "count": .integer(Int64($0.count))]
            }
            var document: [String: JSONValue] = [
                "backend": .string(backend?.name ?? "none"),
                "settings": [
                    "interval_seconds": .number(Double(settings.interval.milliseconds) / 1000),
                    "min_workers": .integer(Int64(policy.minimumWorkers)),
                    "max_workers": .integer(Int64(policy.maximumWorkers)),
                    "queue_threshold": .integer(Int64(policy.queueThreshold)),
                    "worker_idle_timeout_seconds": .number(Double(settings.workerIdleTimeout.milliseconds) / 1000),
                ],
                "images": .array(images), "decisions": .array(decisions), "unserved": .array(unserved),
            ]
            if let error = state.lastError { document["error"] = .string(error) }
            return .object(document)
        }
    }
}
