import MimirCore
import MimirQueue

/// Which image each group of pending jobs should scale.
///
/// The rule, when several images can serve a job (its type, version range, GPU, CPU, memory):
/// 1. images without a GPU for jobs that do not need one (GPUs are scarce);
/// 2. images the backend can start, with room under their maximum;
/// 3. the most specialised image: the fewest job types;
/// 4. the image name.
struct ImageAssignment {
    struct Unserved: Sendable, Hashable {
        var type: String
        var count: Int
    }

    var pending: [String: Int] = [:]
    var unserved: [Unserved] = []

    init(groups: [PendingGroup], images: [CapabilityProvider], canStart: (String) -> Bool) {
        for group in groups {
            let needs = JobNeeds(type: group.type, requirements: group.requirements)
            let able = images.filter { needs.firstUnmet(among: [$0]) == nil }
            guard
                let chosen = able.min(by: {
                    Self.rank($0, needs: needs, canStart: canStart) < Self.rank($1, needs: needs, canStart: canStart)
                })
            else {
                unserved.append(Unserved(type: group.type, count: group.count))
                continue
            }
            pending[chosen.name, default: 0] += group.count
        }
    }

    private static func rank(_ image: CapabilityProvider, needs: JobNeeds, canStart: (String) -> Bool) -> Rank {
        Rank(
            wastesGPU: !needs.gpu && image.resources.gpus > 0, cannotStart: !canStart(image.name),
            jobTypes: Set(image.capabilities.map(\.jobType)).count, name: image.name)
    }

    private struct Rank: Comparable {
        var wastesGPU: Bool
        var cannotStart: Bool
        var jobTypes: Int
        var name: String

        static func < (a: Rank, b: Rank) -> Bool {
            (a.wastesGPU ? 1 : 0, a.cannotStart ? 1 : 0, a.jobTypes, a.name)
                < (b.wastesGPU ? 1 : 0, b.cannotStart ? 1 : 0, b.jobTypes, b.name)
        }
    }
}
