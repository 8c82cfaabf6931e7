import Hummingbird

/// The request context of every route: Hummingbird's core storage plus who is calling, set by
/// `AuthMiddleware` before any handler runs.
public struct OrchestratorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `nil` only on the open endpoints (`/health`, `/ready`, the console's files).
    public var caller: Caller?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.caller = nil
    }
}
