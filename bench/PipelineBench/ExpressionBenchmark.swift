import MimirExpressions

#if canImport(Glibc)
    import Glibc
#endif

/// Times one filter expression over a rotating set of rows, to check the per-row cost claimed
/// in EXPRESSIONS_READY.md.
enum ExpressionBenchmark {
    static func run(iterations: Int = 5_000_000) throws {
        let columns = ["price", "qty", "region"]
        let compiled = try Expression.parse("price * qty > 100 and region = 'EU'").bind(columns: columns)
        let rows: [[ExpressionValue]] = (0..<64).map { index in
            [.number(Double(index) * 1.5), .integer(Int64(index % 9)), .string(index % 3 == 0 ? "EU" : "US")]
        }
        var matches = 0
        let start = Clock.now()
        for iteration in 0..<iterations where try compiled.isSatisfied(by: rows[iteration & 63]) {
            matches += 1
        }
        let seconds = Clock.now() - start
        let nanoseconds = seconds * 1e9 / Double(iterations)
        print("expression: \(iterations) evaluations, \(matches) true, \(String(format1: nanoseconds)) ns/row")
    }
}

enum Clock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

extension String {
    init(format1 value: Double) {
        self = String(Double(Int((value * 10).rounded())) / 10)
    }
}
