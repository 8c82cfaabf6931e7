import Synchronization

/// Numbers downloads within a process, so two downloads of one URL never share a file.
final class DownloadCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
