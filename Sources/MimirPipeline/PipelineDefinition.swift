import MimirCore

/// What happens to a row that cannot be processed (bad CSV record, failed cast, expression error).
public enum RowErrorPolicy: String, Sendable, CaseIterable {
    /// The run fails with the step, line and message of the first bad row.
    case fail
    /// The row is dropped, counted per step, and the first few are recorded in the result.
    case skip
}

/// A validated pipeline. Everything checkable without reading data has been checked: step kinds
/// and fields, expression syntax and functions, and column names wherever the schema is
/// declared or implied by an earlier step.
public struct PipelineDefinition: Sendable {
    public let steps: [PipelineStep]
    public let rowErrorPolicy: RowErrorPolicy
    /// How many bad rows the result records in detail under `skip` (all are counted).
    public let maxBadRows: Int

    public static let topLevelFields = ["steps", "row_error_policy", "max_bad_rows"]
    public static let defaultMaxBadRows = 10

    public init(steps: [PipelineStep], rowErrorPolicy: RowErrorPolicy = .fail, maxBadRows: Int = 10) {
        self.steps = steps
        self.rowErrorPolicy = rowErrorPolicy
        self.maxBadRows = maxBadRows
    }

    public static func parse(_ json: JSONValue) throws(PipelineDefinitionError) -> PipelineDefinition {
        let problems = ProblemCollector()
        guard let object = json.objectValue else {
            throw PipelineDefinitionError(problems: [
                DefinitionProblem(path: "$", message: "expected an object with \"steps\", got \(json.typeName)")
            ])
        }
        let top = FieldReader(object: object, path: "$", problems: problems)
        for key in object.keys.sorted() where !topLevelFields.contains(key) {
            problems.add(key, "unknown field (fields: \(topLevelFields.joined(separator: ", ")))")
        }
        let policy: RowErrorPolicy? = object["row_error_policy"] == nil ? .fail : top.choice("row_error_policy")
        let maxBadRows = top.integer("max_bad_rows") ?? defaultMaxBadRows
        let steps = parseSteps(object["steps"], problems: problems)
        if let steps, steps.count == object["steps"]?.arrayValue?.count {
            StructureCheck.run(steps, problems: problems)
            _ = SchemaCheck(steps: steps, problems: problems).run(sourceColumns: nil, joinColumns: [:])
        }
        guard problems.isEmpty, let steps, let policy else {
            throw PipelineDefinitionError(problems: problems.problems.map(Self.unprefixed))
        }
        return PipelineDefinition(steps: steps, rowErrorPolicy: policy, maxBadRows: maxBadRows)
    }

    private static func unprefixed(_ problem: DefinitionProblem) -> DefinitionProblem {
        guard problem.path.hasPrefix("$.") else { return problem }
        return DefinitionProblem(path: String(problem.path.dropFirst(2)), message: problem.message)
    }

    private static func parseSteps(_ value: JSONValue?, problems: ProblemCollector) -> [PipelineStep]? {
        guard let value else {
            problems.add("steps", "required")
            return nil
        }
        guard let elements = value.arrayValue, !elements.isEmpty else {
            problems.add("steps", "expected a non-empty array of steps")
            return nil
        }
        var steps: [PipelineStep] = []
        for (index, element) in elements.enumerated() {
            let path = "steps[\(index)]"
            guard let object = element.objectValue else {
                problems.add(path, "expected an object, got \(element.typeName)")
                continue
            }
            if let step = StepParsing.step(FieldReader(object: object, path: path, problems: problems)) {
                steps.append(step)
            }
        }
        return steps
    }
}

/// Dispatches on `kind`.
enum StepParsing {
    static func step(_ fields: FieldReader) -> PipelineStep? {
        guard let kind = fields.string("kind", required: true) else { return nil }
        switch kind {
        case "source":
            fields.rejectUnknownFields(allowed: ["kind"] + SourceSinkParsing.sourceFields, owner: "source")
            return SourceSinkParsing.source(fields).map(PipelineStep.source)
        case "sink": return SourceSinkParsing.sink(fields).map(PipelineStep.sink)
        case "select": return TransformParsing.select(fields)
        case "rename": return TransformParsing.rename(fields)
        case "cast": return TransformParsing.cast(fields)
        case "filter": return TransformParsing.filter(fields)
        case "derive": return TransformParsing.derive(fields)
        case "dedupe": return TransformParsing.dedupe(fields)
        case "sort": return TransformParsing.sort(fields)
        case "limit": return TransformParsing.limit(fields)
        case "group_by": return GroupJoinParsing.groupBy(fields)
        case "join": return GroupJoinParsing.join(fields)
        default:
            fields.problems.add(
                fields.fieldPath("kind"),
                "unknown step kind \"\(kind)\" (known: \(PipelineStep.kinds.joined(separator: ", ")))")
            return nil
        }
    }
}

/// Rules about the order of steps: one source first, a sink last, no output over an input.
enum StructureCheck {
    static func run(_ steps: [PipelineStep], problems: ProblemCollector) {
        guard let first = steps.first, let last = steps.last else { return }
        if case .source = first {
        } else {
            problems.add("steps[0].kind", "the first step must be a source, got \"\(first.kind)\"")
        }
        if case .sink = last {
        } else {
            problems.add("steps[\(steps.count - 1)].kind", "the last step must be a sink, got \"\(last.kind)\"")
        }
        var inputs: Set<String> = []
        var outputs: Set<String> = []
        for (index, step) in steps.enumerated() {
            switch step {
            case .source(let options):
                if index > 0 {
                    problems.add(
                        "steps[\(index)].kind", "only the first step may be a source; use join to read a second dataset"
                    )
                }
                inputs.insert(options.dataset)
            case .join(let join): inputs.insert(join.source.dataset)
            case .sink(let options):
                if !outputs.insert(options.dataset).inserted {
                    problems.add("steps[\(index)].dataset", "\"\(options.dataset)\" is written by an earlier sink")
                }
                if inputs.contains(options.dataset) {
                    problems.add("steps[\(index)].dataset", "\"\(options.dataset)\" is also read by this pipeline")
                }
            default: break
            }
        }
    }
}
