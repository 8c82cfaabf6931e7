import MimirCore
import MimirPluginHost
import Synchronization

/// Shows an executor's progress and log lines on standard error: a redrawn bar on a terminal,
/// plain lines (every 10 %) otherwise.
final class ProgressDisplay: ExecutionObserver {
    private struct State {
        var fraction = 0.0
        var message = ""
        var barShown = false
        var lastPrintedDecile = -1
    }

    private let interactive: Bool
    private let state = Mutex(State())
    private static let width = 30

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func executorLogged(_ level: ExecutorLogLevel, _ message: String) {
        state.withLock { state in
            var text = interactive && state.barShown ? "\r\u{1B}[2K" : ""
            text += "[\(level.rawValue)] \(message)\n"
            if interactive && state.barShown { text += Self.bar(state) }
            Terminal.writeError(text)
        }
    }

    func executorProgressed(_ fraction: Double, _ message: String?) {
        state.withLock { state in
            state.fraction = fraction
            if let message { state.message = message }
            if interactive {
                state.barShown = true
                Terminal.writeError("\r\u{1B}[2K" + Self.bar(state))
            } else {
                let decile = Int(fraction * 10)
                guard decile > state.lastPrintedDecile else { return }
                state.lastPrintedDecile = decile
                Terminal.writeError(
                    "progress \(Int(fraction * 100))%\(state.message.isEmpty ? "" : " \(state.message)")\n")
            }
        }
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    func finish() {
        state.withLock { state in
            if interactive && state.barShown { Terminal.writeError("\n") }
            state.barShown = false
        }
    }

    private static func bar(_ state: State) -> String {
        let filled = Int((state.fraction * Double(width)).rounded(.down))
        let percent = Int((state.fraction * 100).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(percent)%" + (state.message.isEmpty ? "" : " \(state.message)")
    }
}
