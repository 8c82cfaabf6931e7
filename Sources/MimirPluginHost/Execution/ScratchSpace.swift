import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory private to one job attempt, made only when the executor first asks for it (most
/// jobs never do, and creating and removing a directory costs more than a small job) and removed
/// with everything in it when the job ends.
final class ScratchSpace: Sendable {
    struct CreationError: Error, CustomStringConvertible {
        let description: String
    }

    private let root: String
    private let jobID: String
    /// The path as a C string, owned here until `remove()`.
    private let created = Mutex<CPath?>(nil)

    struct CPath: @unchecked Sendable {
        // Written once under the lock, read-only afterwards, freed in remove().
        let pointer: UnsafeMutablePointer<CChar>
        var path: String { String(cString: pointer) }
    }

    init(root: String, jobID: String) {
        self.root = root
        self.jobID = jobID
    }

    /// The directory's path, creating it on the first call.
    func path() throws(CreationError) -> UnsafePointer<CChar> {
        let result = created.withLock { created -> Result<UnsafePointer<CChar>, CreationError> in
            if let created { return .success(UnsafePointer(created.pointer)) }
            return Result { () throws(CreationError) in try makeDirectory() }.map { pointer in
                created = CPath(pointer: pointer)
                return UnsafePointer(pointer)
            }
        }
        return try result.get()
    }

    private func makeDirectory() throws(CreationError) -> UnsafeMutablePointer<CChar> {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw CreationError(description: "cannot create scratch root \(root): \(error)")
        }
        let safeID = String(
            jobID.unicodeScalars.prefix(64).map { scalar -> Character in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                    ? Character(scalar) : "_"
            })
        // The pid leads the name so a later worker can tell directories of dead ones.
        let template = "\(root)/\(getpid())-\(safeID.isEmpty ? "job" : safeID)-XXXXXX"
        guard let buffer = strdup(template) else {
            throw CreationError(description: "cannot create a scratch directory under \(root): out of memory")
        }
        guard mkdtemp(buffer) != nil else {
            let reason = String(cString: strerror(errno))
            free(buffer)
            throw CreationError(description: "cannot create a scratch directory under \(root): \(reason)")
        }
        return buffer
    }

    /// Removes scratch directories left under `root` by workers that died mid-job (killed, or
    /// crashed); directories of live processes are left alone.
    static func removeAbandoned(under root: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names {
            guard let pid = name.split(separator: "-").first.flatMap({ pid_t($0) }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: "\(root)/\(name)")
            }
        }
    }

    /// Removes the directory and its contents, if it was ever made.
    func remove() {
        guard
            let created = created.withLock({ created in
                defer { created = nil }
                return created
            })
        else { return }
        try? FileManager.default.removeItem(atPath: created.path)
        free(created.pointer)
    }
}
