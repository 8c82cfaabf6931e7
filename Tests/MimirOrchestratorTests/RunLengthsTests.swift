import MimirCore
import MimirQueue
import Testing

@testable import MimirWorker

/// Which job types a worker takes ahead: those whose runs have been short on average.
@Suite("Run lengths")
struct RunLengthsTests {
    static let offer = WorkerOffer(
        executorVersions: [
            "fast": SemanticVersion(major: 1, minor: 0, patch: 0),
            "slow": SemanticVersion(major: 2, minor: 0, patch: 0),
        ], gpus: 0, cpuMillicores: 1000, memoryBytes: 1 << 30)

    @Test("a type is short after 5 runs whose moving average is under the limit")
    func average() {
        let lengths = RunLengths(shortBelow: .milliseconds(2))
        for _ in 0..<4 { lengths.record("fast", ranFor: .microseconds(100)) }
        #expect(!lengths.isShort("fast"), "4 runs are not enough")
        lengths.record("fast", ranFor: .microseconds(100))
        #expect(lengths.isShort("fast"))
        // One run of 5 ms on busy cores: the average (a quarter of the way) stays under 2 ms.
        lengths.record("fast", ranFor: .milliseconds(5))
        #expect(lengths.isShort("fast"))
        // Runs that turn long take the type out within a few runs.
        lengths.record("fast", ranFor: .milliseconds(50))
        #expect(!lengths.isShort("fast"))
        #expect(!lengths.isShort("never-ran"))
    }

    @Test("a type whose first run was long needs a good many short runs before it counts as short")
    func slowStart() {
        let lengths = RunLengths(shortBelow: .milliseconds(2))
        lengths.record("fast", ranFor: .seconds(1))
        var runs = 0
        while !lengths.isShort("fast"), runs < 100 {
            lengths.record("fast", ranFor: .microseconds(100))
            runs += 1
        }
        // 1 s decays by 3/4 a run: under 2 ms after 22 runs.
        #expect(runs == 22)
    }

    @Test("the offer for jobs taken ahead keeps only the short types, with their versions and resources")
    func narrowedOffer() {
        let lengths = RunLengths(shortBelow: .milliseconds(2))
        #expect(lengths.shortTypes(of: Self.offer) == nil, "no type has run yet")
        for _ in 0..<5 {
            lengths.record("fast", ranFor: .microseconds(50))
            lengths.record("slow", ranFor: .seconds(2))
        }
        var expected = Self.offer
        expected.executorVersions = ["fast": SemanticVersion(major: 1, minor: 0, patch: 0)]
        #expect(lengths.shortTypes(of: Self.offer) == expected)
    }
}
