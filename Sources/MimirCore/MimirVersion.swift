/// The version of the Mimir AIP programs (host, orchestrator), reported to plugins and clients.
public enum MimirVersion {
    public static let current = "0.1.0"
}
