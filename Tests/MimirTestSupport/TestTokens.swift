import Foundation

/// API tokens every test orchestrator accepts (`OrchestratorProcess` passes the file), one per
/// role, and the worker credential; fixed values so a failing test's log can be replayed by hand.
public enum TestTokens {
    public static let admin = "test-admin-0123456789abcdef"
    public static let submitter = "test-submitter-0123456789abcdef"
    public static let viewer = "test-viewer-0123456789abcdef"
    public static let worker = "test-worker-0123456789abcdef"

    /// The `role:name:secret` file for `--api-tokens-file`, written once per test process.
    public static let file: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mimir-test-tokens-\(getpid())").path
        let text = """
            # role:name:secret — the tokens of the test suites
            admin:test-admin:\(admin)
            submitter:test-submitter:\(submitter)
            viewer:test-viewer:\(viewer)
            """
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }()

    /// `Authorization: Bearer <token>`.
    public static func header(_ token: String) -> (String, String) {
        ("Authorization", "Bearer \(token)")
    }
}
