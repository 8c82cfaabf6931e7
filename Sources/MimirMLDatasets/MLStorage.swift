import MimirML
import MimirPluginSDK
import MimirStorage

/// What the ML executors share: opening storage, and the job status each ML failure means.
public enum MLStorage {
    /// The storage and the job's project folder (where its models live). A root that cannot be
    /// used fails for good; a bad project id is the job's fault.
    public static func open(_ root: String, project: String) throws -> (storage: ProjectStorage, folder: String) {
        let storage: ProjectStorage
        do {
            storage = try ProjectStorage(root: root)
        } catch {
            throw ExecutorError.permanent("the storage root: \(error)")
        }
        do {
            return (storage, try storage.projectDirectory(project))
        } catch {
            throw ExecutorError.invalidInput("project_id: \(error)")
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
