import MimirCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One executor process as the worker sees it: the child's pid, the pipes the worker writes
/// requests and cancellations to and the pipe it reads events from. Not shared: a slot checks it
/// out of the pool, runs one job through it, and checks it back in (or stops it).
final class ExecutorProcess: Sendable {
    let pid: pid_t
    let requests: FrameChannel
    let events: FrameChannel
    /// Cancellations, apart from the requests: the child runs a job on the thread that reads
    /// requests, and a thread of its own waits on this pipe.
    let cancels: FrameChannel
    /// Jobs this process has run, for the jobs-per-child limit.
    let jobsRun = Atomic<Int>(0)
    private let reaped = Mutex<ProcessTermination?>(nil)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `executable arguments` (`name` its `argv[0]`, the executable by default) with the
    /// request pipe as its fd 3, the event pipe as its fd 4 and the cancel pipe as its fd 5. Its stdout goes to the worker's stderr (a plugin's printf
    /// must not corrupt the protocol), its stdin is /dev/null, it inherits no other descriptor,
    /// and its signals are unblocked and at their defaults (the worker's threads block some, and
    /// ignore SIGPIPE).
    init(executable: String, name: String? = nil, arguments: [String]) throws(Failure) {
        // Pipes and spawn under one lock, the pipes close-on-exec at once: no other executor
        // process started meanwhile inherits these ends and keeps a pipe open after this child's
        // end of it is gone (which would hide its death).
        let spawned = try Self.spawnLock.withLock { _ throws(Failure) in
            try Self.spawn(executable: executable, name: name ?? executable, arguments: arguments)
        }
        pid = spawned.pid
        requests = FrameChannel(descriptor: spawned.requests)
        events = FrameChannel(descriptor: spawned.events)
        cancels = FrameChannel(descriptor: spawned.cancels)
        statm = open("/proc/\(spawned.pid)/statm", O_RDONLY | O_CLOEXEC)
    }

    /// /proc/<pid>/statm, opened once: the memory limit is checked after jobs, and opening
    /// the file each time was 2 % of a busy worker's CPU time. -1 if it could not be opened.
    private let statm: Int32

    /// When ``memoryCheckDue(jobLength:minimum:interval:)`` last said yes; `nil` before the first job.
    private let lastMemoryCheck = Mutex<ContinuousClock.Instant?>(nil)

    /// Whether to read the memory after a job of `jobLength`: after the first job, a job of at
    /// least `minimum`, or once `interval` has passed since the last reading.
    func memoryCheckDue(jobLength: Duration, minimum: Duration, interval: Duration) -> Bool {
        let now = ContinuousClock.now
        return lastMemoryCheck.withLock { last in
            guard jobLength >= minimum || last.map({ now - $0 >= interval }) ?? true else { return false }
            last = now
            return true
        }
    }

    private static let spawnLock = Mutex(())

    private static func makePipe() throws(Failure) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    private static func spawn(executable: String, name: String, arguments: [String]) throws(Failure) -> (
        pid: pid_t, requests: Int32, events: Int32, cancels: Int32
    ) {
        var pipes: [(read: Int32, write: Int32)] = []
        do {
            for _ in 0..<3 { pipes.append(try makePipe()) }
        } catch {
            for pipe in pipes {
                close(pipe.read)
                close(pipe.write)
            }
            throw error
        }
        let (requestPipe, eventPipe, cancelPipe) = (pipes[0], pipes[1], pipes[2])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        // dup2 clears close-on-exec on the copies, so exactly these three survive the exec.
        posix_spawn_file_actions_adddup2(&actions, requestPipe.read, 3)
        posix_spawn_file_actions_adddup2(&actions, eventPipe.write, 4)
        posix_spawn_file_actions_adddup2(&actions, cancelPipe.read, 5)
        SpawnSetup.closeFrom(&actions, 6)

        let argv = ([name] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = SpawnSetup.withAttributes { posix_spawn(&pid, executable, &actions, &$0, argv, environ) }
        close(requestPipe.read)
        close(eventPipe.write)
        close(cancelPipe.read)
        guard result == 0 else {
            close(requestPipe.write)
            close(eventPipe.read)
            close(cancelPipe.write)
            throw Failure(description: "cannot start \(name) (\(executable)): \(String(cString: strerror(result)))")
        }
        return (pid, requestPipe.write, eventPipe.read, cancelPipe.write)
    }

    /// Nothing above the three pipes is inherited, close-on-exec or not (glibc 2.34+; the same
    /// lookup as MimirScaling's ChildProcess).

    deinit {
        close(requests.descriptor)
        close(events.descriptor)
        close(cancels.descriptor)
        if statm >= 0 { close(statm) }
    }

    /// How it ended, if it has (reaping it once); `nil` while it runs.
    func termination() -> ProcessTermination? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid else { return nil }
            reaped = ProcessTermination(waitStatus: status)
            return reaped
        }
    }

    /// Waits for it to end, up to `patience`, then kills it. Returns how it ended.
    @discardableResult
    func waitForExit(patience: Duration) -> ProcessTermination {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if let ended = termination() { return ended }
            usleep(2_000)
        }
        kill()
        return awaitTermination()
    }

    /// SIGKILL, then reaps it.
    @discardableResult
    func kill() -> ProcessTermination {
        if termination() == nil { Glibc.kill(pid, SIGKILL) }
        return awaitTermination()
    }

    /// Asks it to exit (closes its request pipe: it exits on end of file), waits a little, then
    /// kills it.
    func stop(patience: Duration = .seconds(2)) {
        closeRequests()
        waitForExit(patience: patience)
    }

    private let requestsClosed = Atomic<Bool>(false)

    private func closeRequests() {
        if !requestsClosed.exchange(true, ordering: .acquiringAndReleasing) {
            // Replace the write end with /dev/null rather than closing the number, so deinit's
            // close never hits a descriptor another thread has been given since.
            let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
            if null >= 0 {
                dup2(null, requests.descriptor)
                _ = fcntl(requests.descriptor, F_SETFD, FD_CLOEXEC)
                close(null)
            }
        }
    }

    private func awaitTermination() -> ProcessTermination {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = ProcessTermination(waitStatus: status)
            return reaped ?? .exited(0)
        }
    }

    /// Resident memory now, from /proc/<pid>/statm (its second field, in pages). Read with
    /// pread(2) from its start: procfs makes the text afresh for each read from offset 0, and
    /// reports a size of 0, which whole-file readers take at its word.
    func residentBytes() -> Int64? {
        guard statm >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { pread(statm, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let fields = buffer.prefix(count).split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
