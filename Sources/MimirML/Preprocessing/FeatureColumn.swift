import MimirCore

/// One input column of a model and everything learnt about it on the training rows. Kept in the
/// artifact so inference encodes new rows exactly as training did.
public struct FeatureColumn: Sendable, Equatable {
    public let name: String
    public let kind: ColumnKind
    /// Numeric: the value a missing cell takes (training mean or median).
    public let fill: Double
    /// Numeric: `(x - center) / scale` is the encoded value; 0 and 1 when not standardized.
    public let center: Double
    public let scale: Double
    /// Categorical: the categories seen in training, sorted; each becomes one 0/1 column.
    public let categories: [String]

    /// How many encoded columns the feature occupies.
    var width: Int { kind == .numeric ? 1 : categories.count }

    /// Names of the encoded columns, `name=category` for one-hot columns.
    var encodedNames: [String] {
        kind == .numeric ? [name] : categories.map { "\(name)=\($0)" }
    }

    func json() -> JSONValue {
        switch kind {
        case .numeric:
            [
                "name": .string(name), "kind": "numeric", "fill": .number(fill), "center": .number(center),
                "scale": .number(scale),
            ]
        case .categorical:
            ["name": .string(name), "kind": "categorical", "categories": .array(categories.map { .string($0) })]
        }
    }

    init(name: String, kind: ColumnKind, fill: Double, center: Double, scale: Double, categories: [String]) {
        self.name = name
        self.kind = kind
        self.fill = fill
        self.center = center
        self.scale = scale
        self.categories = categories
    }

    init(json: JSONValue) throws(MLError) {
        guard let name = json["name"]?.stringValue,
            let kind = json["kind"]?.stringValue.flatMap(ColumnKind.init(rawValue:))
        else { throw .corruptArtifact("a feature lacks its name or kind") }
        self.name = name
        self.kind = kind
        switch kind {
        case .numeric:
            guard let fill = json["fill"]?.doubleValue, let center = json["center"]?.doubleValue,
                let scale = json["scale"]?.doubleValue
            else { throw .corruptArtifact("numeric feature \(MLError.show(name)) lacks fill, center or scale") }
            (self.fill, self.center, self.scale, self.categories) = (fill, center, scale, [])
        case .categorical:
            guard let list = json["categories"]?.arrayValue else {
                throw .corruptArtifact("categorical feature \(MLError.show(name)) lacks its categories")
            }
            let categories = list.compactMap(\.stringValue)
            guard categories.count == list.count else {
                throw .corruptArtifact("categorical feature \(MLError.show(name)) has a non-string category")
            }
            (self.fill, self.center, self.scale, self.categories) = (0, 0, 1, categories)
        }
    }
}
