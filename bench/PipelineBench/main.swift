/// Usage: PipelineBench [pipeline [rows] [directory] | expressions]
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == "expressions" {
        try ExpressionBenchmark.run()
    } else {
        let rows = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
        let directory = arguments.count > 2 ? arguments[2] : ".build-release/bench-data"
        try PipelineBenchmark.run(directory: directory, rows: rows, repeats: 3)
    }
} catch {
    print("error: \(error)")
}
