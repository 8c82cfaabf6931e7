import PluginABI

/// The host's services for one running job. Valid only during the `execute` call that received
/// it: do not keep it (or hand it to work that outlives the call).
public struct JobContext: @unchecked Sendable {
    // The host allows its services to be called from any thread while execute runs.
    let host: UnsafePointer<mimir_host_api>
    let handle: OpaquePointer?

    public enum LogLevel: Sendable {
        case debug, info, warning, error

        var abiLevel: mimir_log_level {
            switch self {
            case .debug: MIMIR_LOG_DEBUG
            case .info: MIMIR_LOG_INFO
            case .warning: MIMIR_LOG_WARNING
            case .error: MIMIR_LOG_ERROR
            }
        }
    }

    public func log(_ level: LogLevel = .info, _ message: String) {
        message.withCString { host.pointee.log(handle, level.abiLevel, $0) }
    }

    /// Reports progress in [0, 1] with an optional short message. Cheap: the host throttles.
    public func progress(_ fraction: Double, _ message: String? = nil) {
        if let message {
            message.withCString { host.pointee.progress(handle, fraction, $0) }
        } else {
            host.pointee.progress(handle, fraction, nil)
        }
    }

    /// True once the job was cancelled or timed out.
    public var isCancelled: Bool {
        host.pointee.is_cancelled(handle) != 0
    }

    /// Throws `ExecutorError.cancelled` when the job was cancelled; call between units of work.
    public func checkCancellation() throws(ExecutorError) {
        if isCancelled { throw .cancelled }
    }

    /// Signals liveness during long work that reports no progress.
    public func heartbeat() {
        host.pointee.heartbeat(handle)
    }

    /// A directory private to this job attempt, made on the first call and removed with its
    /// contents when the job ends.
    public func scratchDirectory() throws(ExecutorError) -> String {
        guard let path = host.pointee.scratch_dir(handle) else {
            throw .retryable("the worker could not create a scratch directory (see the job's log)")
        }
        return String(cString: path)
    }

    /// Records an output the job produced (a project path or URI).
    public func addArtifact(_ uri: String, mediaType: String? = nil) {
        uri.withCString { uriPointer in
            if let mediaType {
                mediaType.withCString { host.pointee.add_artifact(handle, uriPointer, $0) }
            } else {
                host.pointee.add_artifact(handle, uriPointer, nil)
            }
        }
    }
}
