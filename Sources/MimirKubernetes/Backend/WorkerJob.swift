import MimirCore

/// What the backend needs of a worker Job read back from the API server.
struct WorkerJob: Sendable, Hashable {
    enum Outcome: Sendable, Hashable {
        case complete(at: Int64?)
        case failed(reason: String, message: String, at: Int64?)
    }

    let name: String
    let uid: String
    let workerID: String
    let image: String
    let createdAt: Int64
    /// `nil` while the Job has neither a Complete nor a Failed condition.
    let outcome: Outcome?
    let isBeingDeleted: Bool

    /// `nil` for an object that is not a Job the backend could have made (no name).
    init?(_ job: JSONValue) {
        let metadata = job["metadata"]
        guard let name = metadata?["name"]?.stringValue else { return nil }
        self.name = name
        uid = metadata?["uid"]?.stringValue ?? name
        let annotations = metadata?["annotations"]
        let labels = metadata?["labels"]
        // The annotation holds the exact id; the label may have been squeezed to fit label rules.
        workerID =
            annotations?[WorkerLabels.workerIDAnnotation]?.stringValue
            ?? labels?[WorkerLabels.instance]?.stringValue ?? name
        image =
            annotations?[WorkerLabels.imageAnnotation]?.stringValue
            ?? job["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue ?? ""
        createdAt = KubernetesTimestamp.milliseconds(metadata?["creationTimestamp"]?.stringValue) ?? 0
        isBeingDeleted = metadata?["deletionTimestamp"] != nil
        outcome = Self.outcome(job["status"]?["conditions"]?.arrayValue ?? [])
    }

    private static func outcome(_ conditions: [JSONValue]) -> Outcome? {
        for condition in conditions where condition["status"]?.stringValue == "True" {
            let at = KubernetesTimestamp.milliseconds(
                condition["lastTransitionTime"]?.stringValue ?? condition["lastProbeTime"]?.stringValue)
            switch condition["type"]?.stringValue {
            case "Complete":
                return .complete(at: at)
            case "Failed":
                return .failed(
                    reason: condition["reason"]?.stringValue ?? "Failed",
                    message: condition["message"]?.stringValue ?? "",
                    at: at)
            default:
                continue
            }
        }
        return nil
    }
}
