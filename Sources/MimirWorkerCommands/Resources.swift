import ArgumentParser
import MimirCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// What a worker offers jobs: declared by flag or environment, else detected on the machine.
enum Resources {
    struct Offer {
        var gpus: Int
        var cpuMillicores: Int64
        var memoryBytes: Int64
    }

    /// `gpus` comes from the flag or MIMIR_WORKER_GPUS (the caller reads both); `nil` detects them.
    static func offered(gpus: Int?, cpu: String?, memory: String?) throws -> Offer {
        let gpuCount = gpus ?? detectedGPUs()
        guard gpuCount >= 0 else { throw ValidationError("--gpus must be ≥ 0, got \(gpuCount)") }
        let cpuText = cpu ?? Environment.value("MIMIR_WORKER_CPU").flatMap { $0.isEmpty ? nil : $0 }
        let memoryText = memory ?? Environment.value("MIMIR_WORKER_MEMORY").flatMap { $0.isEmpty ? nil : $0 }
        var cpuMillicores = Int64(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) * 1000
        if let cpuText {
            guard let quantity = KubernetesQuantity(cpuText), quantity.value > 0 else {
                throw ValidationError("--cpu: \"\(cpuText)\" is not a positive Kubernetes quantity (2, 500m)")
            }
            cpuMillicores = quantity.thousandths(.down)
        }
        var memoryBytes = Int64(max(0, sysconf(Int32(_SC_PHYS_PAGES)))) * Int64(max(0, sysconf(Int32(_SC_PAGESIZE))))
        if let memoryText {
            guard let quantity = KubernetesQuantity(memoryText), quantity.value > 0 else {
                throw ValidationError("--memory: \"\(memoryText)\" is not a positive Kubernetes quantity (512Mi, 8Gi)")
            }
            memoryBytes = quantity.whole(.down)
        }
        return Offer(gpus: gpuCount, cpuMillicores: cpuMillicores, memoryBytes: memoryBytes)
    }

    /// NVIDIA GPUs show up as /dev/nvidia0, /dev/nvidia1, ...
    static func detectedGPUs() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []
        return names.filter { $0.hasPrefix("nvidia") && $0.dropFirst(6).allSatisfy(\.isNumber) && $0.count > 6 }.count
    }
}
