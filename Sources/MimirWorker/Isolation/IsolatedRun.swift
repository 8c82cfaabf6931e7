import MimirPluginHost

/// Running one job in an executor process, and turning whatever happens to that process into
/// the job's outcome: its own outcome; a crash (signal, unexpected exit) as `crashed`, naming the
/// plugin and the signal; a plugin that ignores cancellation or its timeout killed after the
/// grace period.
extension ExecutorProcessPool {
    /// How often the supervising thread looks at cancellation and deadlines while it waits for
    /// the child's next message. Messages themselves wake it at once.
    static let watchInterval = Duration.milliseconds(50)

    /// Runs `request` through `executor`'s plugin in a child process, blocking the calling thread
    /// until the job ends (run it on a thread of its own, never one of Swift concurrency's pool).
    /// `stillRunning` is called on that thread each time a watch interval passes with no word
    /// from the child: the job runs long, and the caller may see to what waits for it.
    public func run(
        _ executor: LoadedExecutor, _ request: ExecutionRequest, observer: any ExecutionObserver,
        cancellation: CancellationToken, stillRunning: () -> Void = {}
    ) -> ExecutionOutcome {
        let started = ContinuousClock.now
        let name =
            "plugin \(executor.plugin.name) \(executor.plugin.version) (\(executor.manifest.jobType) "
            + "\(executor.manifest.version))"
        func ended(_ status: ExecutionOutcome.Status, _ message: String) -> ExecutionOutcome {
            ExecutionOutcome(status: status, message: message, duration: ContinuousClock.now - started)
        }

        // Checked here, where the parameters are a tree already: the child gets them as text and
        // hands that to the plugin as it is.
        if var rejected = executor.rejection(of: request.parameters) {
            rejected.duration = ContinuousClock.now - started
            return rejected
        }
        let process: ExecutorProcess
        do {
            process = try checkOut()
        } catch {
            return ended(.retryableFailure, "cannot run \(name): no executor process: \(error)")
        }
        do {
            try process.requests.send(.run(jobType: executor.manifest.jobType, input: request.input))
        } catch {
            // It died between the check and the request: nothing of the job ran.
            discard(process)
            return ended(.retryableFailure, "cannot run \(name): its executor process \(process.pid) is gone: \(error)")
        }

        // The child enforces the timeout itself (the plugin sees is_cancelled); this deadline is
        // for a plugin that does not look.
        let killDeadline = request.timeout.map { started + $0 + settings.killGrace }
        var cancelSent: ContinuousClock.Instant?
        while true {
            let now = ContinuousClock.now
            if cancellation.isCancelled, cancelSent == nil {
                cancelSent = now
                try? process.cancels.send(.cancel(jobID: request.jobID, attempt: request.attempt))
            }
            if let cancelSent, now - cancelSent > settings.killGrace {
                logger.warning(
                    "killing an executor process: its plugin ignored cancellation",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)"])
                discard(process)
                return ended(
                    .cancelled,
                    "cancelled; \(name) did not stop within \(settings.killGrace.formattedSeconds) of being cancelled, so its "
                        + "process was killed")
            }
            if let killDeadline, let timeout = request.timeout, now > killDeadline {
                logger.warning(
                    "killing an executor process: its plugin ignored the job's timeout",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)"])
                discard(process)
                return ended(
                    .timedOut,
                    "timed out after \(timeout.formattedSeconds); \(name) did not stop within \(settings.killGrace.formattedSeconds) more, so its "
                        + "process was killed")
            }

            let event: FrameChannel.ReadResult
            do {
                event = try process.events.read(timeout: Self.watchInterval)
            } catch {
                discard(process)
                return ended(.crashed, "\(name) broke the executor protocol (\(error)); its process was killed")
            }
            switch event {
            case .idle:
                stillRunning()
                continue
            case .closed:
                // The child's end closed: it is dying or dead. Its wait status says how.
                let how = process.waitForExit(patience: .seconds(2))
                discard(process)
                logger.error(
                    "executor process died mid-job",
                    metadata: ["job": "\(request.jobID)", "pid": "\(process.pid)", "how": "\(how)"])
                return ended(.crashed, "\(name) \(how)")
            case .message(let message):
                switch message {
                case .log(let level, let message):
                    observer.executorLogged(level, message)
                case .progress(let fraction, let message):
                    observer.executorProgressed(fraction, message)
                case .outcome(let outcome):
                    checkIn(process, after: ContinuousClock.now - started)
                    return outcome
                default:
                    discard(process)
                    return ended(
                        .crashed, "\(name) broke the executor protocol (unexpected \(message)); its process was killed")
                }
            }
        }
    }
}
