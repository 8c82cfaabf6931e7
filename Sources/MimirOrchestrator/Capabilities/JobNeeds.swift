import MimirCore
import MimirQueue

/// What a job asks of the worker that runs it, and the first of those needs a set of providers
/// cannot meet: the one check behind both a 422 at submission (against every known image and
/// worker) and a queued job's `waiting_reason` (against the live workers).
struct JobNeeds: Sendable {
    var type: String
    var range: VersionRange?
    var gpu: Bool
    var cpuMillicores: Int64?
    var memoryBytes: Int64?

    /// The version range as `VersionRange.number` bounds, [minimum, below): all a queued job's
    /// requirements keep of its range.
    var minimumVersion: Int64?
    var belowVersion: Int64?

    /// From a validated job spec.
    init(type: String, spec: JSONValue) {
        self.init(type: type, requirements: JobSubmissionValidator.requirements(of: spec))
        range = spec["task_spec"]?["executor_version"]?.stringValue.flatMap { try? VersionRange($0) }
    }

    /// From what the queue keeps of a job (the scaler's view of pending work).
    init(type: String, requirements: JobRequirements) {
        self.type = type
        gpu = requirements.gpu
        cpuMillicores = requirements.cpuMillicores
        memoryBytes = requirements.memoryBytes
        minimumVersion = requirements.minimumVersion
        belowVersion = requirements.belowVersion
    }

    /// Whether an executor version is within the job's range.
    func accepts(_ version: SemanticVersion) -> Bool {
        if let range { return range.contains(version) }
        let number = VersionRange.number(version)
        return number >= (minimumVersion ?? .min) && number < (belowVersion ?? .max)
    }

    private var hasVersionBounds: Bool { range != nil || minimumVersion != nil || belowVersion != nil }

    enum Unmet: Sendable, Equatable {
        case type
        case version(offered: [SemanticVersion])
        case gpu
        case cpu(mostMillicores: Int64)
        case memory(mostBytes: Int64)

        /// The submitted field the need came from.
        var field: String {
            switch self {
            case .type: "type"
            case .version: "task_spec.executor_version"
            case .gpu: "resource_requirements.gpu"
            case .cpu: "resource_requirements.cpu"
            case .memory: "resource_requirements.memory"
            }
        }
    }

    /// Narrows `providers` need by need and names the first that leaves none; `nil` when some
    /// provider meets them all.
    func firstUnmet(among providers: [CapabilityProvider]) -> Unmet? {
        let serving = providers.filter { !$0.capabilities(of: type).isEmpty }
        guard !serving.isEmpty else { return .type }
        var candidates = serving
        if hasVersionBounds {
            candidates = candidates.filter { $0.capabilities(of: type).contains { accepts($0.executorVersion) } }
            if candidates.isEmpty {
                return .version(
                    offered: Set(serving.flatMap { $0.capabilities(of: type).map(\.executorVersion) }).sorted(by: >))
            }
        }
        if gpu {
            candidates = candidates.filter { $0.resources.gpus > 0 }
            if candidates.isEmpty { return .gpu }
        }
        if let cpuMillicores {
            let fitting = candidates.filter { ($0.resources.cpuMillicores ?? .max) >= cpuMillicores }
            if fitting.isEmpty {
                return .cpu(mostMillicores: candidates.compactMap(\.resources.cpuMillicores).max() ?? 0)
            }
            candidates = fitting
        }
        if let memoryBytes {
            let fitting = candidates.filter { ($0.resources.memoryBytes ?? .max) >= memoryBytes }
            if fitting.isEmpty { return .memory(mostBytes: candidates.compactMap(\.resources.memoryBytes).max() ?? 0) }
        }
        return nil
    }

    /// The unmet need in words; `who` is what was searched ("no known image or worker", "no live worker").
    func describe(_ unmet: Unmet, who: String) -> String {
        let within = range.map { " within \($0)" } ?? ""
        switch unmet {
        case .type:
            return "\(who) serves job type \(type)"
        case .version(let offered):
            return
                "\(who) runs a \(type) executor\(within) (offered: \(offered.map(\.description).joined(separator: ", ")))"
        case .gpu:
            return "\(who) that serves \(type)\(within) offers a GPU"
        case .cpu(let most):
            return
                "\(who) that serves \(type) offers \(Self.cores(cpuMillicores ?? 0)) CPU (the most offered is \(Self.cores(most)))"
        case .memory(let most):
            return
                "\(who) that serves \(type) offers \(Self.bytes(memoryBytes ?? 0)) of memory (the most offered is \(Self.bytes(most)))"
        }
    }

    private static func cores(_ millicores: Int64) -> String {
        millicores % 1000 == 0 ? "\(millicores / 1000)" : "\(millicores)m"
    }

    private static func bytes(_ count: Int64) -> String {
        for (unit, size) in [("Gi", Int64(1) << 30), ("Mi", Int64(1) << 20), ("Ki", Int64(1) << 10)]
        where count >= size && count % size == 0 {
            return "\(count / size)\(unit)"
        }
        return "\(count) bytes"
    }
}
