import Foundation
import MimirCore
import Synchronization

/// The image `local`: the plugins of `LOCAL_PLUGIN_DIR`, declared at start by asking
/// `mimir-worker declare` (the plugins themselves, not a hand-written list), so the embedded
/// default scales from zero with nothing configured but that directory.
enum LocalImageDeclaration {
    static let imageName = "local"

    static func make(workerExecutable: String, pluginDirectory: String, slots: Int) async throws(StartupError)
        -> ImageDeclarations.Declaration
    {
        let result: Result<(Int32, Data, Data), any Error> = await withCheckedContinuation { continuation in
            // A thread of its own: waiting for a child process must not hold a cooperative one.
            Thread {
                continuation.resume(
                    returning: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: workerExecutable)
                        process.arguments = [
                            "declare", "--plugin-dir", pluginDirectory, "--image", imageName, "--slots", String(slots),
                        ]
                        let output = Pipe()
                        let errors = Pipe()
                        process.standardOutput = output
                        process.standardError = errors
                        try process.run()
                        // Both pipes at once: a child that fills one while this side waits on the
                        // other (64 KiB of warnings, say) would wait for ever, and so would the start.
                        let problems = Mutex(Data())
                        let errorsRead = DispatchSemaphore(value: 0)
                        Thread {
                            let data = errors.fileHandleForReading.readDataToEndOfFile()
                            problems.withLock { $0 = data }
                            errorsRead.signal()
                        }.start()
                        let text = output.fileHandleForReading.readDataToEndOfFile()
                        errorsRead.wait()
                        process.waitUntilExit()
                        return (process.terminationStatus, text, problems.withLock { $0 })
                    })
            }.start()
        }
        let (status, text, problems): (Int32, Data, Data)
        do {
            (status, text, problems) = try result.get()
        } catch {
            throw StartupError(description: "LOCAL_PLUGIN_DIR: cannot run \(workerExecutable) declare: \(error)")
        }
        guard status == 0, var document = try? JSONValue.parse(text).objectValue else {
            throw StartupError(
                description: "LOCAL_PLUGIN_DIR: \(workerExecutable) declare --plugin-dir \(pluginDirectory) failed: "
                    + String(decoding: problems, as: UTF8.self))
        }
        document["plugin_dir"] = .string(pluginDirectory)
        return ImageDeclarations.Declaration(image: imageName, document: .object(document))
    }
}
