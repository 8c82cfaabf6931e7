import MimirQueue
import Synchronization

/// Which job types run short on this worker, so that a slot may take several of them in one
/// round trip and report their ends together. A job taken ahead is leased but waits for the
/// jobs before it, and an end reported late is seen late: both cost next to nothing when the
/// jobs take microseconds, and would cost a long job's whole run.
///
/// A type counts as short once it has run `samplesNeeded` times and the moving average of its
/// run lengths (each new run weighing `weight`) is under `shortBelow`. An average rather than
/// every run: on busy cores a microsecond job's run now and then measures milliseconds (the
/// executor process waiting for a core), and a streak broken by each such run took jobs ahead
/// for fewer than half of a backlog's jobs. An outlier that does run long is handled where it
/// runs (see `WorkerRuntime.runSlot`); a type whose runs turn long drops out within a few runs.
final class RunLengths: Sendable {
    let shortBelow: Duration
    static let samplesNeeded = 5
    static let weight = 0.25

    private struct Runs {
        var count = 0
        /// Moving average, in seconds.
        var average = 0.0
    }

    private let runs = Mutex<[String: Runs]>([:])

    init(shortBelow: Duration) {
        self.shortBelow = shortBelow
    }

    func record(_ jobType: String, ranFor duration: Duration) {
        let seconds = duration.inSeconds
        runs.withLock { runs in
            var entry = runs[jobType] ?? Runs()
            entry.average = entry.count == 0 ? seconds : entry.average + Self.weight * (seconds - entry.average)
            entry.count += 1
            runs[jobType] = entry
        }
    }

    func isShort(_ jobType: String) -> Bool {
        runs.withLock { Self.isShort($0[jobType], below: shortBelow.inSeconds) }
    }

    /// `offer` narrowed to the job types that run short; `nil` when none does.
    func shortTypes(of offer: WorkerOffer) -> WorkerOffer? {
        let limit = shortBelow.inSeconds
        var narrowed = offer
        narrowed.executorVersions = runs.withLock { runs in
            offer.executorVersions.filter { Self.isShort(runs[$0.key], below: limit) }
        }
        return narrowed.executorVersions.isEmpty ? nil : narrowed
    }

    private static func isShort(_ entry: Runs?, below limit: Double) -> Bool {
        guard let entry else { return false }
        return entry.count >= samplesNeeded && entry.average < limit
    }
}

extension Duration {
    fileprivate var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
