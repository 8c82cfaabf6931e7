import MimirCore

/// Readers for the number arrays that make up most of an artifact.
enum JSONDecoding {
    static func doubles(_ value: JSONValue) -> [Double]? {
        guard let items = value.arrayValue else { return nil }
        var result: [Double] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let number = item.doubleValue else { return nil }
            result.append(number)
        }
        return result
    }

    static func ints(_ value: JSONValue) -> [Int]? {
        guard let items = value.arrayValue else { return nil }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let number = item.int64Value else { return nil }
            result.append(Int(number))
        }
        return result
    }

    static func strings(_ value: JSONValue) -> [String]? {
        guard let items = value.arrayValue else { return nil }
        let result = items.compactMap(\.stringValue)
        return result.count == items.count ? result : nil
    }

    static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
    static func integers(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
}
