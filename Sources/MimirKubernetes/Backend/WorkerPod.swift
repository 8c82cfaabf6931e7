import MimirCore

/// A worker pod as the backend reads it: which Job it belongs to, why it cannot start if it
/// cannot, and how its container ended if it did.
struct WorkerPod: Sendable, Hashable {
    /// A reason a pod will not start by itself: the image, its configuration or its placement.
    struct StartProblem: Sendable, Hashable {
        let reason: String
        let message: String
        /// Whether waiting can fix it (a node may be added for an unschedulable pod); an image that
        /// cannot be pulled or a missing Secret needs a person.
        let mayResolve: Bool
    }

    static let waitingReasonsThatNeedAPerson: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError",
        "CreateContainerError", "RunContainerError",
    ]

    let name: String
    let jobName: String?
    let problem: StartProblem?
    /// The container's termination, for a crashed worker's message: `exit code 3 (Error)`.
    let termination: String?
    /// Phase `Succeeded` or `Failed`: every container has terminated and none will restart.
    let hasEnded: Bool

    init?(_ pod: JSONValue) {
        guard let name = pod["metadata"]?["name"]?.stringValue else { return nil }
        self.name = name
        let labels = pod["metadata"]?["labels"]
        jobName =
            labels?["job-name"]?.stringValue
            ?? pod["metadata"]?["ownerReferences"]?.arrayValue?.first { $0["kind"]?.stringValue == "Job" }?["name"]?
            .stringValue
        let status = pod["status"]
        hasEnded = ["Succeeded", "Failed"].contains(status?["phase"]?.stringValue ?? "")
        let containers = status?["containerStatuses"]?.arrayValue ?? []
        problem = Self.waitingProblem(containers) ?? Self.schedulingProblem(status?["conditions"]?.arrayValue ?? [])
        termination = containers.lazy.compactMap { Self.describeTermination($0["state"]?["terminated"]) }.first
    }

    private static func waitingProblem(_ containers: [JSONValue]) -> StartProblem? {
        for container in containers {
            guard let waiting = container["state"]?["waiting"], let reason = waiting["reason"]?.stringValue,
                waitingReasonsThatNeedAPerson.contains(reason)
            else { continue }
            return StartProblem(reason: reason, message: waiting["message"]?.stringValue ?? reason, mayResolve: false)
        }
        return nil
    }

    private static func schedulingProblem(_ conditions: [JSONValue]) -> StartProblem? {
        for condition in conditions
        where condition["type"]?.stringValue == "PodScheduled" && condition["status"]?.stringValue == "False"
            && condition["reason"]?.stringValue == "Unschedulable"
        {
            return StartProblem(
                reason: "Unschedulable", message: condition["message"]?.stringValue ?? "no node fits the pod",
                mayResolve: true)
        }
        return nil
    }

    private static func describeTermination(_ terminated: JSONValue?) -> String? {
        guard let terminated, let code = terminated["exitCode"]?.int64Value else { return nil }
        var text = "exit code \(code)"
        if let reason = terminated["reason"]?.stringValue, !reason.isEmpty { text += " (\(reason))" }
        if let message = terminated["message"]?.stringValue, !message.isEmpty { text += ": \(message)" }
        return text
    }
}
