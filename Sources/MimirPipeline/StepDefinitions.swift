import MimirExpressions

/// File formats the engine reads and writes.
public enum DataFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl
    case json

    /// The format a dataset name implies: `.csv`/`.tsv`, `.jsonl`/`.ndjson`, `.json`.
    public static func inferred(from dataset: String) -> DataFormat? {
        let lowered = dataset.lowercased()
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".tsv") || lowered.hasSuffix(".txt") { return .csv }
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") { return .jsonl }
        if lowered.hasSuffix(".json") { return .json }
        return nil
    }
}

/// How to read one dataset: the first step's source, or a join's second input.
public struct SourceOptions: Sendable, Hashable {
    public var dataset: String
    public var format: DataFormat
    /// A single byte; `\t` for TSV.
    public var delimiter: UInt8
    public var header: Bool
    /// CSV only: turn unquoted text into integers, numbers, booleans and nulls (empty field).
    public var inferTypes: Bool
    /// Declared column names: replace the CSV header (or name a headerless file's columns), or
    /// fix which keys JSON records contribute. Declaring them also enables static checks.
    public var columns: [String]?
    /// JSON arrays are parsed whole; this bounds the memory that takes.
    public var maxBytes: Int

    public static let defaultMaxJSONBytes = 256 << 20
}

public struct SinkOptions: Sendable, Hashable {
    public var dataset: String
    public var format: DataFormat
    public var delimiter: UInt8
    public var header: Bool
}

public enum CastType: String, Sendable, CaseIterable {
    case integer
    case number
    case string
    case boolean
    case timestamp
}

public struct ColumnCast: Sendable, Hashable {
    public var column: String
    public var type: CastType
}

public struct ColumnRename: Sendable, Hashable {
    public var from: String
    public var to: String
}

public struct DerivedColumn: Sendable, Hashable {
    public var name: String
    public var expression: Expression
}

public struct SortKey: Sendable, Hashable {
    public var column: String
    public var descending: Bool
}

public enum AggregateOperation: String, Sendable, CaseIterable {
    case count
    case sum
    case avg
    case min
    case max
}

public struct Aggregate: Sendable, Hashable {
    public var name: String
    public var operation: AggregateOperation
    /// `nil` only for `count`, which then counts rows rather than non-null values.
    public var column: String?
}

public enum JoinKind: String, Sendable, CaseIterable {
    case inner
    case left
}

public struct JoinDefinition: Sendable, Hashable {
    public var source: SourceOptions
    public var how: JoinKind
    public var leftKeys: [String]
    public var rightKeys: [String]
    /// Appended to right-hand column names that clash with left-hand ones.
    public var suffix: String
}

/// One validated step. The `kind` strings are the JSON spellings.
public enum PipelineStep: Sendable, Hashable {
    case source(SourceOptions)
    case select([String])
    case rename([ColumnRename])
    case cast([ColumnCast])
    case filter(Expression)
    case derive([DerivedColumn])
    case dedupe(columns: [String]?)
    case sort([SortKey])
    case groupBy(keys: [String], aggregates: [Aggregate])
    case join(JoinDefinition)
    case limit(Int)
    case sink(SinkOptions)

    public static let kinds = [
        "source", "select", "rename", "cast", "filter", "derive", "dedupe", "sort", "group_by", "join", "limit", "sink",
    ]

    public var kind: String {
        switch self {
        case .source: "source"
        case .select: "select"
        case .rename: "rename"
        case .cast: "cast"
        case .filter: "filter"
        case .derive: "derive"
        case .dedupe: "dedupe"
        case .sort: "sort"
        case .groupBy: "group_by"
        case .join: "join"
        case .limit: "limit"
        case .sink: "sink"
        }
    }
}
