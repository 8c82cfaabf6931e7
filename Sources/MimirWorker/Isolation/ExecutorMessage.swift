import MimirCore
import MimirPluginHost

/// What a worker and one of its executor processes say to each other, one message per frame:
///
///     worker → child:  run (one job) on the request pipe; cancel, withdraw on the cancel pipe
///     child → worker:  ready (plugins loaded), log, progress, outcome (the job's end),
///                      withdrawal (the answer to a withdraw)
///
/// A child runs one job at a time, in the order its runs arrive; closing its request pipe tells
/// it to exit. A worker may send a short job's run while the job before it still runs, so that
/// the child starts it without waiting for its worker (`ExecutorLane`); `withdraw` takes such a
/// run back before it starts, and `withdrawal` says whether it was in time. A cancel or withdraw
/// names the job and attempt it is for, since it travels apart from the runs: one sent as a job
/// ended must not touch the next.
///
/// The protocol is private to one `mimir-worker` binary (a worker starts its children from its
/// own executable), so it is binary rather than JSON (`FrameCoding.swift`): writing each message
/// as a JSON tree and parsing it back was a third of an executor process's time on short jobs.
/// `ready` carries `protocolVersion` all the same, so that a child of another build is refused by
/// name rather than misread.
enum ExecutorMessage: Sendable, Hashable {
    case ready(protocolVersion: UInt32, pid: Int32, jobTypes: [String])
    case run(jobType: String, input: ExecutionInput)
    case cancel(jobID: String, attempt: UInt32)
    case log(ExecutorLogLevel, String)
    case progress(Double, String?)
    case outcome(ExecutionOutcome)
    case withdraw(jobID: String, attempt: UInt32)
    /// `withdrawn`: the run will not start (the child skips it when it reads it); otherwise it has
    /// started already.
    case withdrawal(jobID: String, attempt: UInt32, withdrawn: Bool)

    /// Bumped whenever a message's fields change.
    static let protocolVersion: UInt32 = 3

    private enum Kind: UInt8 {
        case ready = 1
        case run, cancel, log, progress, outcome, withdraw, withdrawal

        /// For errors. Spelt out: interpolating the case reflects on it, a dynamic cast per message.
        var name: String {
            switch self {
            case .ready: "ready"
            case .run: "run"
            case .cancel: "cancel"
            case .log: "log"
            case .progress: "progress"
            case .outcome: "outcome"
            case .withdraw: "withdraw"
            case .withdrawal: "withdrawal"
            }
        }
    }

    /// The message as one frame, its length first.
    var frame: [UInt8] {
        switch self {
        case .ready(let version, let pid, let jobTypes):
            var builder = FrameBuilder(kind: Kind.ready.rawValue)
            builder.append(version)
            builder.append(Int64(pid))
            builder.append(UInt32(jobTypes.count))
            for jobType in jobTypes { builder.append(jobType) }
            return builder.frame()
        case .run(let jobType, let input):
            var builder = FrameBuilder(
                kind: Kind.run.rawValue,
                capacity: 64 + jobType.utf8.count + input.jobID.utf8.count + input.projectID.utf8.count
                    + input.parametersJSON.utf8.count + input.documentJSON.utf8.count)
            builder.append(jobType)
            builder.append(input.jobID)
            builder.append(input.projectID)
            builder.append(input.parametersJSON)
            builder.append(input.documentJSON)
            builder.append(input.attempt)
            builder.append(input.timeout?.milliseconds)
            return builder.frame()
        case .cancel(let jobID, let attempt):
            var builder = FrameBuilder(kind: Kind.cancel.rawValue)
            builder.append(jobID)
            builder.append(attempt)
            return builder.frame()
        case .log(let level, let message):
            var builder = FrameBuilder(kind: Kind.log.rawValue, capacity: 16 + message.utf8.count)
            builder.append(level.rawValue)
            builder.append(message)
            return builder.frame()
        case .progress(let fraction, let message):
            var builder = FrameBuilder(kind: Kind.progress.rawValue)
            builder.append(fraction)
            builder.append(message)
            return builder.frame()
        case .outcome(let outcome):
            let result = outcome.result?.jsonText()
            var builder = FrameBuilder(
                kind: Kind.outcome.rawValue,
                capacity: 64 + (result?.utf8.count ?? 0) + (outcome.message?.utf8.count ?? 0))
            builder.append(outcome.status.rawValue)
            builder.append(outcome.message)
            builder.append(result)
            builder.append(UInt32(outcome.artifacts.count))
            for artifact in outcome.artifacts {
                builder.append(artifact.uri)
                builder.append(artifact.mediaType)
            }
            builder.append(Int64(outcome.droppedLogLines))
            builder.append(outcome.duration.milliseconds)
            return builder.frame()
        case .withdraw(let jobID, let attempt):
            var builder = FrameBuilder(kind: Kind.withdraw.rawValue)
            builder.append(jobID)
            builder.append(attempt)
            return builder.frame()
        case .withdrawal(let jobID, let attempt, let withdrawn):
            var builder = FrameBuilder(kind: Kind.withdrawal.rawValue)
            builder.append(jobID)
            builder.append(attempt)
            builder.append(UInt8(withdrawn ? 1 : 0))
            return builder.frame()
        }
    }

    /// Reads a frame's body (its length already taken off). Throws, naming the message and field,
    /// for anything that is not a whole message of this protocol.
    init(frameBody body: UnsafeRawBufferPointer) throws(FrameChannel.Failure) {
        // The first byte says which message it is.
        guard let byte = body.first, let kind = Kind(rawValue: byte) else {
            // Builds before protocol 3 wrote every message as a JSON object.
            let older = body.first == UInt8(ascii: "{") ? " (a JSON message: a build before executor protocol 3)" : ""
            throw FrameChannel.Failure(
                description: "unknown message kind \(body.first.map { "\($0)" } ?? "(empty frame)")\(older)")
        }
        var fields = FrameFields(body, message: kind.name)
        switch kind {
        case .ready:
            let version = try fields.uint32("protocol version")
            guard version == Self.protocolVersion else {
                // Fields of another version need not be readable: say which it was.
                self = .ready(protocolVersion: version, pid: 0, jobTypes: [])
                return
            }
            let pid = Int32(truncatingIfNeeded: try fields.int64("pid"))
            let count = try fields.uint32("job type count")
            var jobTypes: [String] = []
            for _ in 0..<count { jobTypes.append(try fields.text("job type")) }
            self = .ready(protocolVersion: version, pid: pid, jobTypes: jobTypes)
        case .run:
            let jobType = try fields.text("job type")
            let jobID = try fields.text("job id")
            let projectID = try fields.text("project id")
            let parameters = try fields.text("parameters")
            let document = try fields.text("document")
            let attempt = try fields.uint32("attempt")
            let timeout = try fields.optionalInt64("timeout")
            self = .run(
                jobType: jobType,
                input: ExecutionInput(
                    jobID: jobID, projectID: projectID, parametersJSON: parameters, documentJSON: document,
                    attempt: attempt, timeout: timeout.map { .milliseconds($0) }))
        case .cancel:
            self = .cancel(jobID: try fields.text("job id"), attempt: try fields.uint32("attempt"))
        case .log:
            let name = try fields.text("level")
            guard let level = ExecutorLogLevel(rawValue: name) else {
                throw FrameChannel.Failure(description: "log message: unknown level \"\(name)\"")
            }
            self = .log(level, try fields.text("message"))
        case .progress:
            self = .progress(try fields.double("fraction"), try fields.optionalText("message"))
        case .outcome:
            let name = try fields.text("status")
            guard let status = ExecutionOutcome.Status(rawValue: name) else {
                throw FrameChannel.Failure(description: "outcome message: unknown status \"\(name)\"")
            }
            let message = try fields.optionalText("message")
            let result: JSONValue?
            if let text = try fields.optionalText("result") {
                do {
                    result = try JSONValue.parse(text)
                } catch {
                    throw FrameChannel.Failure(description: "outcome message: the result is not JSON: \(error)")
                }
            } else {
                result = nil
            }
            var artifacts: [Artifact] = []
            for _ in 0..<(try fields.uint32("artifact count")) {
                artifacts.append(
                    Artifact(
                        uri: try fields.text("artifact uri"), mediaType: try fields.optionalText("artifact media type"))
                )
            }
            let dropped = try fields.int64("dropped log lines")
            let duration = try fields.int64("duration")
            self = .outcome(
                ExecutionOutcome(
                    status: status, message: message, result: result, artifacts: artifacts,
                    droppedLogLines: Int(clamping: dropped), duration: .milliseconds(duration)))
        case .withdraw:
            self = .withdraw(jobID: try fields.text("job id"), attempt: try fields.uint32("attempt"))
        case .withdrawal:
            let jobID = try fields.text("job id")
            let attempt = try fields.uint32("attempt")
            self = .withdrawal(jobID: jobID, attempt: attempt, withdrawn: try fields.flag("withdrawn"))
        }
        try fields.end()
    }
}
