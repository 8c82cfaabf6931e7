import MimirCore

/// Where an image's workers contradict its declaration: an executor missing, extra, or of another
/// version or plugin, or a different GPU count. Each is a sentence naming the job type, shown in
/// `/api/capabilities` so an operator can fix the declaration or the image.
enum ImageMismatches {
    static func between(declared: JSONValue, reported: JSONValue) -> [String] {
        let promised = Dictionary(
            Capability.list(declared["capabilities"]).map { ($0.jobType, $0) }, uniquingKeysWith: { first, _ in first })
        let offered = Dictionary(
            Capability.list(reported["capabilities"]).map { ($0.jobType, $0) }, uniquingKeysWith: { first, _ in first })
        var mismatches: [String] = []
        for type in Set(promised.keys).union(offered.keys).sorted() {
            switch (promised[type], offered[type]) {
            case (let declared?, nil):
                mismatches.append("declares \(declared.label), which its workers do not report")
            case (nil, let reported?):
                mismatches.append("its workers report \(reported.label), which is not declared")
            case (let declared?, let reported?):
                if declared.executorVersion != reported.executorVersion
                    || (declared.plugin != nil && declared.plugin != reported.plugin)
                    || (declared.pluginVersion != nil && declared.pluginVersion != reported.pluginVersion)
                {
                    mismatches.append("declares \(declared.label), but its workers report \(reported.label)")
                }
            case (nil, nil):
                break
            }
        }
        if let gpus = declared["resources"]?["gpu"]?.int64Value {
            let reportedGPUs = reported["resources"]?["gpu"]?.int64Value ?? 0
            if gpus != reportedGPUs {
                mismatches.append("declares \(gpus) GPU(s), but its workers report \(reportedGPUs)")
            }
        }
        return mismatches
    }
}
