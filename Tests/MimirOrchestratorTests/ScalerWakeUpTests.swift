import MimirCore
import Synchronization
import Testing

@testable import MimirOrchestrator

/// What ends the scaler's wait between passes early, and which submissions ask for it.
@Suite("Scaler wake-up")
struct ScalerWakeUpTests {
    // Waits here last minutes unless ended, and "at once" is "well inside that": a loaded machine
    // can hold a resumed task back for seconds (scripts/test.sh runs these with the unit suites).
    static let long: Duration = .seconds(300)

    @Test("a signal ends a wait at once, whether it came before the wait or during it")
    func signalEndsTheWait() async throws {
        let signal = PassSignal()
        signal.signal()
        let clock = ContinuousClock()
        var signalled = false
        let early = await clock.measure { signalled = await signal.wait(upTo: Self.long) }
        #expect(signalled && early < Self.long / 2)

        async let during = signal.wait(upTo: Self.long)
        try await Task.sleep(for: .milliseconds(50))
        let began = clock.now
        signal.signal()
        #expect(await during)
        #expect(clock.now - began < Self.long / 2)
    }

    @Test("the first early pass runs at once after a regular one; the next waits out the minimum gap")
    func earlyPassesArePaced() async throws {
        let signal = PassSignal()
        let passTimes = Mutex<[ContinuousClock.Instant]>([])
        // A regular pass only every ten minutes; early ones at least five minutes apart.
        let gap = Self.long
        let service = ScalerService(
            pass: { passTimes.withLock { $0.append(.now) } }, signal: signal, interval: .seconds(600),
            minimumGap: gap)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        func passes(reaching count: Int, within limit: Duration) async throws -> [ContinuousClock.Instant] {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline, passTimes.withLock({ $0.count }) < count {
                try await Task.sleep(for: .milliseconds(10))
            }
            return passTimes.withLock { $0 }
        }
        #expect(try await passes(reaching: 1, within: gap / 2).count == 1)
        let signalled = ContinuousClock.now
        signal.signal()
        let second = try await passes(reaching: 2, within: gap / 2)
        #expect(second.count == 2, "the first early pass is not held back")
        if second.count == 2 { #expect(second[1] - signalled < gap / 2) }
        for _ in 0..<20 {
            signal.signal()
            try await Task.sleep(for: .milliseconds(20))
        }
        let later = try await passes(reaching: 3, within: .seconds(1))
        // Only the gap's end may run the third, however long this test was held up.
        #expect(later.count == 2 || later[2] - later[1] >= gap, "the next one waits out the gap")
    }

    @Test("a second waiter ends the first instead of leaving it to hang, and gets the signal")
    func aSecondWaiterEndsTheFirst() async throws {
        let signal = PassSignal()
        let clock = ContinuousClock()
        let began = clock.now
        async let first = signal.wait(upTo: Self.long)
        try await Task.sleep(for: .milliseconds(100))
        async let second = signal.wait(upTo: Self.long)
        #expect(await first == false)
        #expect(clock.now - began < Self.long / 2)
        signal.signal()
        #expect(await second)
    }

    @Test("without a signal the wait lasts its time; signals before a wait count as one")
    func timeoutAndOneSignal() async {
        let signal = PassSignal()
        let clock = ContinuousClock()
        var signalled = true
        let waited = await clock.measure { signalled = await signal.wait(upTo: .milliseconds(200)) }
        #expect(!signalled && waited >= .milliseconds(200))

        for _ in 0..<5 { signal.signal() }
        #expect(await signal.wait(upTo: Self.long))
        #expect(!(await signal.wait(upTo: .milliseconds(100))), "the five signals were one")
    }

    @Test("a cancelled wait returns at once and leaves no signal behind")
    func cancelledWait() async {
        let signal = PassSignal()
        let clock = ContinuousClock()
        let began = clock.now
        let waiting = Task { await signal.wait(upTo: Self.long) }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(!(await waiting.value))
        #expect(clock.now - began < Self.long / 2)
        #expect(!(await signal.wait(upTo: .milliseconds(100))))
    }

    static func image(_ name: String, _ types: [String]) -> CapabilityProvider {
        CapabilityProvider(
            kind: .image, name: name, image: name,
            capabilities: types.map {
                Capability(
                    jobType: $0, plugin: nil, pluginVersion: nil,
                    executorVersion: SemanticVersion(major: 1, minor: 0, patch: 0), needsGPU: false,
                    parametersSchema: nil)
            }, resources: ResourceOffer())
    }

    @Test("unattended: types a startable image serves while no worker is live or starting for them")
    func unattendedTypes() {
        let images = [
            Self.image("ml", ["ml_training", "ml_inference"]), Self.image("pipeline", ["pipeline_execution"]),
            Self.image("twin", ["digital_twin_update"]), Self.image("capped", ["noop"]),
        ]
        var statuses: [String: Scaler.Status] = [:]
        statuses["ml"] = Scaler.Status(image: "ml", launchable: true)
        statuses["pipeline"] = Scaler.Status(image: "pipeline", starting: 1, launchable: true)
        statuses["twin"] = Scaler.Status(image: "twin", launchable: false)
        statuses["capped"] = Scaler.Status(image: "capped", maximum: 0, launchable: true)
        // A live worker that no image started serves ml_inference.
        var live = Self.image("worker-1", ["ml_inference"])
        live.kind = .worker
        #expect(
            Scaler.unattended(images: images, statuses: statuses, live: [live], maximumWorkers: 10) == ["ml_training"])
        // MAX_WORKERS present (the one starting): no pass could start another.
        #expect(Scaler.unattended(images: images, statuses: statuses, live: [live], maximumWorkers: 1).isEmpty)
        statuses["ml"]?.idle = 1
        #expect(Scaler.unattended(images: images, statuses: statuses, live: [], maximumWorkers: 10).isEmpty)
    }
}
