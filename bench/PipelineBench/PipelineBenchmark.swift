import MimirCore
import MimirPipeline

/// filter `price * qty > 100 and region != 'EU'` then group by region (count, sum(price),
/// avg(qty)); the same query bench/pipeline_compare.py runs with pandas and DuckDB.
enum PipelineBenchmark {
    static func run(directory: String, rows: Int, repeats: Int) throws {
        let input = "\(directory)/sales_\(rows).csv"
        try SalesData.generateIfMissing(path: input, rows: rows)
        let definition = try PipelineDefinition.parse(
            try JSONValue.parse(
                """
                {"steps": [{"kind": "source", "dataset": "sales.csv"},
                  {"kind": "filter", "where": "price * qty > 100 and region != 'EU'"},
                  {"kind": "group_by", "keys": ["region"], "aggregates": [{"name": "n", "op": "count"},
                    {"name": "sum_price", "op": "sum", "column": "price"}, {"name": "avg_qty", "op": "avg", "column": "qty"}]},
                  {"kind": "sort", "by": ["region"]},
                  {"kind": "sink", "dataset": "bench_out.csv"}]}
                """))
        let resolver: DatasetResolver = { reference, _ in
            reference == "sales.csv" ? input : "\(directory)/\(reference)"
        }
        var best = Double.infinity
        var last: PipelineResult?
        for _ in 0..<repeats {
            let result = try PipelineEngine.run(definition, resolver: resolver)
            best = min(best, result.seconds)
            last = result
        }
        guard let last else { return }
        for step in last.steps {
            print(
                "  step \(step.index) \(step.kind): in \(step.rowsIn) out \(step.rowsOut) \(String(format1: step.seconds * 1000)) ms"
            )
        }
        let rate = Double(rows) / best
        print(
            "mimir pipeline: \(rows) rows in \(String(format1: best * 1000)) ms (best of \(repeats)) = \(Int(rate)) rows/s"
        )
    }
}
