import MimirScaling
import Testing

@Suite("Scaling policy")
struct ScalingPolicyTests {
    let settings = ScalingPolicy.Settings(minimumWorkers: 1, maximumWorkers: 20, queueThreshold: 4)

    func decide(_ loads: [ScalingPolicy.ImageLoad], _ settings: ScalingPolicy.Settings? = nil) -> [String: ScalingPolicy
        .Decision]
    {
        Dictionary(
            uniqueKeysWithValues: ScalingPolicy.decide(loads, settings: settings ?? self.settings).map {
                ($0.image, $0)
            })
    }

    @Test("desired = busy + ⌈pending / threshold⌉; starting workers count as present, idle ones absorb the backlog")
    func backlog() {
        let plan = decide([
            .init(image: "a", pending: 9, busy: 2),
            .init(image: "b", pending: 9, busy: 2, starting: 3),
            .init(image: "c", pending: 3, idle: 2),
        ])
        #expect(plan["a"]?.desired == 5 && plan["a"]?.launch == 3)
        #expect(plan["b"]?.desired == 5 && plan["b"]?.launch == 0, "three already starting")
        #expect(plan["c"]?.desired == 1 && plan["c"]?.launch == 0, "two idle workers take the three jobs")
        #expect(plan["a"]?.reason.contains("→ launch 3") == true, "\(plan["a"]?.reason ?? "")")
    }

    @Test("per-image and global caps; the largest backlog is served first; unlaunchable images say so")
    func caps() {
        let plan = decide(
            [
                .init(image: "big", pending: 40, maximum: 6), .init(image: "small", pending: 8),
                .init(image: "remote", pending: 8, launchable: false),
            ], .init(minimumWorkers: 0, maximumWorkers: 7, queueThreshold: 4))
        #expect(plan["big"]?.desired == 6 && plan["big"]?.launch == 6)
        #expect(plan["small"]?.desired == 2 && plan["small"]?.launch == 1)
        #expect(plan["small"]?.reason.contains("MAX_WORKERS 7 allows 1 more") == true, "\(plan["small"]?.reason ?? "")")
        #expect(plan["remote"]?.launch == 0 && plan["remote"]?.reason.contains("cannot start") == true)
    }

    @Test("MIN_WORKERS is kept by the default image, less what other images keep anyway")
    func minimum() {
        let plan = decide(
            [.init(image: "main", isDefault: true), .init(image: "gpu", busy: 1)],
            .init(minimumWorkers: 2, maximumWorkers: 10, queueThreshold: 4))
        #expect(plan["main"]?.desired == 1 && plan["main"]?.launch == 1)
        #expect(plan["gpu"]?.desired == 1 && plan["gpu"]?.launch == 0)
    }

    @Test("an idle worker may retire only while its image has more than it desires, counting those leaving")
    func retirement() {
        #expect(ScalingPolicy.mayRetire(present: 3, retiring: 0, desired: 1))
        #expect(ScalingPolicy.mayRetire(present: 3, retiring: 1, desired: 1))
        #expect(!ScalingPolicy.mayRetire(present: 3, retiring: 2, desired: 1))
        #expect(!ScalingPolicy.mayRetire(present: 1, retiring: 0, desired: 1))
    }
}
