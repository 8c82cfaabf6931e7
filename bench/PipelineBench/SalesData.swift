#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark's input: id, region (8 values), category, price, qty, timestamp. Generated
/// once with a fixed formula so every engine in the comparison reads the same bytes.
enum SalesData {
    static let regions = ["EU", "US", "APAC", "LATAM", "MEA", "NA", "ANZ", "CN"]

    static func generateIfMissing(path: String, rows: Int) throws {
        if access(path, F_OK) == 0 { return }
        guard let file = fopen(path + ".tmp", "w") else { throw BenchError("cannot create \(path)") }
        var chunk = "id,region,category,price,qty,timestamp\n"
        for index in 0..<rows {
            let price = Double((index &* 7919) % 20_000) / 100
            let second = index % 86_400
            chunk += "\(index),\(regions[(index &* 31) % 8]),cat\(index % 13),\(price),\((index &* 13) % 20),"
            chunk += "2024-03-01T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z\n"
            if chunk.utf8.count > 1 << 20 {
                fputs(chunk, file)
                chunk = ""
            }
        }
        fputs(chunk, file)
        fclose(file)
        rename(path + ".tmp", path)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
