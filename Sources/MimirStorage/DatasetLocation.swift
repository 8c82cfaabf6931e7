/// Where a resolved reference points: a file confined to the storage root, or a URL to download.
public enum DatasetLocation: Sendable, Equatable {
    case file(path: String)
    case http(url: String)
}
