import MimirCore
import MimirScaling

/// A container's `resources` from an image profile. Quantities are checked here so a typo in the
/// catalog is reported against the image, not as a 422 about a Job nobody named.
enum WorkerResources {
    static let gpuResource = "nvidia.com/gpu"

    static func requirements(_ profile: WorkerImageProfile, limitCPU: Bool) throws(KubernetesJobSpecError)
        -> JSONValue
    {
        var requests: [String: JSONValue] = [:]
        var limits: [String: JSONValue] = [:]
        if let cpu = profile.cpu {
            try check(cpu, "cpu", image: profile.image)
            requests["cpu"] = .string(cpu)
            if limitCPU { limits["cpu"] = .string(cpu) }
        }
        if let memory = profile.memory {
            try check(memory, "memory", image: profile.image)
            requests["memory"] = .string(memory)
            limits["memory"] = .string(memory)
        }
        guard profile.gpus >= 0 else {
            throw KubernetesJobSpecError(message: "image \(profile.image): gpus must not be negative (\(profile.gpus))")
        }
        if profile.gpus > 0 {
            // Extended resources are set as limits; Kubernetes copies them to requests.
            limits[gpuResource] = .string(String(profile.gpus))
        }
        var resources: [String: JSONValue] = [:]
        if !requests.isEmpty { resources["requests"] = .object(requests) }
        if !limits.isEmpty { resources["limits"] = .object(limits) }
        return .object(resources)
    }

    private static func check(_ text: String, _ resource: String, image: String) throws(KubernetesJobSpecError) {
        guard let quantity = KubernetesQuantity(text), quantity.value > 0 else {
            throw KubernetesJobSpecError(
                message: "image \(image): \(resource) \(String(reflecting: text)) is not a positive Kubernetes "
                    + "quantity (such as 500m, 2, 512Mi, 4Gi)")
        }
    }
}
