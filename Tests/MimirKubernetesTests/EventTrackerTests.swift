import MimirCore
import MimirScaling
import Testing

@testable import MimirKubernetes

/// Sequences of API snapshots a live cluster produces but the stand-in kubelet does not.
@Suite struct EventTrackerTests {
    static func job(_ name: String, uid: String, conditions: [JSONValue] = []) -> WorkerJob? {
        WorkerJob([
            "metadata": [
                "name": .string(name), "uid": .string(uid), "creationTimestamp": "2025-05-20T10:11:12Z",
                "annotations": ["mimir-aip.io/worker-id": .string("w-\(name)"), "mimir-aip.io/image": "img:1"],
            ],
            "status": ["conditions": .array(conditions)],
        ])
    }

    static func pod(
        job: String, waiting reason: String? = nil, unschedulable: Bool = false, phase: String? = nil,
        suffix: String = ""
    ) -> WorkerPod? {
        var status: [String: JSONValue] = [:]
        if let phase { status["phase"] = .string(phase) }
        if let reason {
            status["containerStatuses"] = [
                ["name": "worker", "state": ["waiting": ["reason": .string(reason), "message": "details"]]]
            ]
        }
        if unschedulable {
            status["conditions"] = [
                [
                    "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
                ]
            ]
        }
        return WorkerPod([
            "metadata": ["name": .string("\(job)-pod\(suffix)"), "labels": ["job-name": .string(job)]],
            "status": .object(status),
        ])
    }

    @Test func unschedulableThenAPullErrorReportsBothOnce() throws {
        var tracker = EventTracker()
        let job = try #require(Self.job("a", uid: "u1"))
        let waiting = tracker.review(
            jobs: [job], pods: [Self.pod(job: "a", unschedulable: true)].compactMap { $0 }, now: 1)
        #expect(
            waiting.events.map(\.message) == ["Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu."])
        #expect(waiting.jobsToDelete.isEmpty)
        #expect(
            tracker.review(jobs: [job], pods: [Self.pod(job: "a", unschedulable: true)].compactMap { $0 }, now: 2)
                .events.isEmpty)

        let pulling = tracker.review(
            jobs: [job], pods: [Self.pod(job: "a", waiting: "ErrImagePull")].compactMap { $0 }, now: 3)
        #expect(pulling.events.map(\.message) == ["ErrImagePull: details"])
        #expect(pulling.events.first?.kind == .failedToStart)
        #expect(pulling.jobsToDelete == ["a"])
        #expect(tracker.cannotStart(job))
        // The kubelet flips between ErrImagePull and ImagePullBackOff: no second event.
        let backOff = tracker.review(
            jobs: [job], pods: [Self.pod(job: "a", waiting: "ImagePullBackOff")].compactMap { $0 }, now: 4)
        #expect(backOff.events.isEmpty)
    }

    @Test func endsAreReportedOncePerUIDAndForgottenWhenTheJobIsGone() throws {
        var tracker = EventTracker()
        let complete: JSONValue = ["type": "Complete", "status": "True", "lastTransitionTime": "2025-05-20T10:12:00Z"]
        let first = try #require(Self.job("b", uid: "u1", conditions: [complete]))
        let review = tracker.review(jobs: [first], pods: [], now: 5)
        #expect(review.events.map(\.kind) == [.exited])
        #expect(review.events.first?.at == 1_747_735_920_000)
        #expect(review.events.first?.workerID == "w-b")
        #expect(review.endedJobs == ["b"])
        #expect(tracker.review(jobs: [first], pods: [], now: 6).events.isEmpty)
        // A new Job under the same name (new uid) is a new worker.
        let second = try #require(Self.job("b", uid: "u2", conditions: [complete]))
        #expect(tracker.review(jobs: [second], pods: [], now: 7).events.count == 1)
    }

    @Test func aFailedJobsWorkerIsGoneOnlyOnceEveryPodOfItHasEnded() throws {
        let failed: JSONValue = ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"]
        func gone(_ pods: [WorkerPod?]) throws -> Bool? {
            var tracker = EventTracker()
            let job = try #require(Self.job("c", uid: "u3", conditions: [failed]))
            return tracker.review(jobs: [job], pods: pods.compactMap { $0 }, now: 8).events.first?.workerGone
        }
        #expect(try gone([Self.pod(job: "c", phase: "Failed")]) == true)
        #expect(
            try gone([Self.pod(job: "c", phase: "Failed"), Self.pod(job: "c", phase: "Succeeded", suffix: "2")]) == true
        )
        // A pod still running (a deadline's or a deletion's termination under way) may still report.
        #expect(
            try gone([Self.pod(job: "c", phase: "Failed"), Self.pod(job: "c", phase: "Running", suffix: "2")]) == false)
        // No pod listed: nothing says how it ended (a node lost, the pod deleted by force).
        #expect(try gone([]) == false)
        // The same for a completed Job (whose worker drained by itself: the scaler releases nothing).
        var tracker = EventTracker()
        let complete: JSONValue = ["type": "Complete", "status": "True"]
        let job = try #require(Self.job("d", uid: "u4", conditions: [complete]))
        let review = tracker.review(
            jobs: [job], pods: [Self.pod(job: "d", phase: "Succeeded")].compactMap { $0 }, now: 9)
        #expect(review.events.map(\.kind) == [.exited] && review.events.first?.workerGone == true)
    }

    @Test func timestampsWithFractionsAndOffsets() {
        #expect(KubernetesTimestamp.milliseconds("1970-01-01T00:00:01Z") == 1000)
        #expect(KubernetesTimestamp.milliseconds("1970-01-01T00:00:01.250Z") == 1250)
        #expect(KubernetesTimestamp.milliseconds("1970-01-01T01:00:01+01:00") == 1000)
        #expect(KubernetesTimestamp.milliseconds("yesterday") == nil)
    }
}
