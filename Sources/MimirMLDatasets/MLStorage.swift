import MimirML
import MimirPluginSDK
import MimirStorage

/// What the ML executors share: opening storage, and the job status each ML failure means.
public enum MLStorage {
    public static func open(_ root: String) throws -> ProjectStorage {
        do {
            return try ProjectStorage(root: root)
        } catch {
            throw ExecutorError.permanent("the storage root: \(error)")
        }
    }

    /// The job status an ML failure means: the data or request at fault is invalid input; a
    /// storage failure may pass.
    public static func executorError(_ error: MLError) -> ExecutorError {
        switch error {
        case .cancelled: .cancelled
        case .storage: .retryable(error.description)
        case .corruptArtifact: .permanent(error.description)
        default: .invalidInput(error.description)
        }
    }
}
