/// How many workers each image should have, from its share of the backlog and its workers.
///
/// For an image: `desired = clamp(busy + ⌈pending / QUEUE_THRESHOLD⌉, minimum, maximum)`, where
/// `pending` counts the queued jobs assigned to it (ready to run, not in flight) and `busy` its
/// live workers running jobs. Idle live workers are not added: they are about to take the backlog.
/// Workers starting are counted as present, never as missing, so a slow start does not launch a
/// second worker for the same jobs. `launch = desired − (busy + idle + starting)` when positive,
/// then cut so that all images together stay within `MAX_WORKERS`, the images with the most
/// pending work served first. Scale-in is the workers' own: one idle for `WORKER_IDLE_TIMEOUT`
/// asks to retire and may while its image has more workers than it desires (`mayRetire`).
public enum ScalingPolicy {
    public struct Settings: Sendable, Hashable {
        /// Workers kept in total, by the default image (`ImageLoad.isDefault`), even with no work.
        public var minimumWorkers: Int
        /// Workers at most, all images together.
        public var maximumWorkers: Int
        /// Queued jobs one worker is given before another is started.
        public var queueThreshold: Int

        public init(minimumWorkers: Int, maximumWorkers: Int, queueThreshold: Int) {
            self.minimumWorkers = max(0, minimumWorkers)
            self.maximumWorkers = max(1, maximumWorkers)
            self.queueThreshold = max(1, queueThreshold)
        }
    }

    /// One image as the scaler sees it in one pass.
    public struct ImageLoad: Sendable, Hashable {
        public var image: String
        public var pending: Int
        public var busy: Int
        public var idle: Int
        public var starting: Int
        /// Per-image bounds (the declaration's `min_workers`, `max_workers`).
        public var minimum: Int
        public var maximum: Int
        /// Whether the backend can start workers of it (a plugin directory for local processes).
        public var launchable: Bool
        /// The image that keeps the global minimum.
        public var isDefault: Bool

        public init(
            image: String, pending: Int = 0, busy: Int = 0, idle: Int = 0, starting: Int = 0, minimum: Int = 0,
            maximum: Int = .max, launchable: Bool = true, isDefault: Bool = false
        ) {
            self.image = image
            self.pending = pending
            self.busy = busy
            self.idle = idle
            self.starting = starting
            self.minimum = minimum
            self.maximum = maximum
            self.launchable = launchable
            self.isDefault = isDefault
        }

        public var present: Int { busy + idle + starting }
    }

    public struct Decision: Sendable, Hashable {
        public var image: String
        public var desired: Int
        public var launch: Int
        /// The arithmetic, in words: what the log and `/api/scaling` show.
        public var reason: String
    }

    public static func decide(_ loads: [ImageLoad], settings: Settings) -> [Decision] {
        let present = loads.reduce(0) { $0 + $1.present }
        var decisions: [Decision] = loads.map { load in
            let forBacklog = (load.pending + settings.queueThreshold - 1) / settings.queueThreshold
            var minimum = load.minimum
            if load.isDefault {
                // The global minimum, less what other images keep anyway.
                let others = loads.filter { !$0.isDefault }.reduce(0) { $0 + max($1.present, $1.minimum) }
                minimum = max(minimum, settings.minimumWorkers - others)
            }
            let upper = min(load.maximum, settings.maximumWorkers)
            let desired = min(max(load.busy + forBacklog, minimum), upper)
            var reason =
                "pending \(load.pending) (threshold \(settings.queueThreshold)) + busy \(load.busy) → \(load.busy + forBacklog)"
            if desired != load.busy + forBacklog { reason += ", bounded to \(desired) (min \(minimum), max \(upper))" }
            reason += "; present \(load.present) (busy \(load.busy), idle \(load.idle), starting \(load.starting))"
            let launch = load.launchable ? max(0, desired - load.present) : 0
            if !load.launchable && desired > load.present {
                reason += "; cannot start workers of this image here"
            }
            return Decision(image: load.image, desired: desired, launch: launch, reason: reason)
        }
        // The global cap, the largest backlogs first.
        var room = max(0, settings.maximumWorkers - present)
        let order = decisions.indices.sorted {
            loads[$0].pending > loads[$1].pending
                || (loads[$0].pending == loads[$1].pending && loads[$0].image < loads[$1].image)
        }
        for index in order where decisions[index].launch > 0 {
            let granted = min(decisions[index].launch, room)
            if granted < decisions[index].launch {
                decisions[index].reason += "; MAX_WORKERS \(settings.maximumWorkers) allows \(granted) more"
            }
            decisions[index].launch = granted
            room -= granted
        }
        for index in decisions.indices where decisions[index].launch > 0 {
            decisions[index].reason += " → launch \(decisions[index].launch)"
        }
        return decisions
    }

    /// Whether an idle worker of an image may leave: only while the image keeps more workers than
    /// it desires, counting those already leaving.
    public static func mayRetire(present: Int, retiring: Int, desired: Int) -> Bool {
        present - retiring > desired
    }
}
