import MimirCore
import MimirJSONSchema
import Testing

/// A parameter schema as an executor plugin would declare it: a pipeline of steps, each step one of several
/// kinds told apart by a "kind" constant.
@Suite("Realistic plugin parameter schema")
struct PipelineSchemaTests {
    static let schemaText = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "PipelineExecution parameters",
          "type": "object",
          "required": ["source", "steps"],
          "additionalProperties": false,
          "properties": {
            "source": {
              "type": "object",
              "required": ["uri", "format"],
              "properties": {
                "uri": {"type": "string", "pattern": "^(s3|file)://"},
                "format": {"enum": ["csv", "jsonl"]},
                "delimiter": {"type": "string", "minLength": 1, "maxLength": 1}
              }
            },
            "steps": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"$ref": "#/$defs/step"}},
            "limit": {"type": "integer", "minimum": 1, "default": 1000},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}
          },
          "$defs": {
            "column": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
            "step": {
              "oneOf": [
                {
                  "type": "object",
                  "required": ["kind", "columns"],
                  "additionalProperties": false,
                  "properties": {
                    "kind": {"const": "select"},
                    "columns": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/column"}}
                  }
                },
                {
                  "type": "object",
                  "required": ["kind", "column", "op", "value"],
                  "additionalProperties": false,
                  "properties": {
                    "kind": {"const": "filter"},
                    "column": {"$ref": "#/$defs/column"},
                    "op": {"enum": ["eq", "ne", "lt", "gt"]},
                    "value": {"type": ["string", "number", "boolean", "null"]}
                  }
                },
                {
                  "type": "object",
                  "required": ["kind", "fraction"],
                  "additionalProperties": false,
                  "properties": {
                    "kind": {"const": "sample"},
                    "fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "seed": {"type": "integer"}
                  }
                }
              ]
            }
          }
        }
        """#

    @Test func goodDocumentIsValid() throws {
        let schema = try JSONSchema(text: Self.schemaText)
        let parameters = try JSONValue.parse(
            #"""
            {"source": {"uri": "s3://bucket/data.csv", "format": "csv", "delimiter": ";"},
             "steps": [
               {"kind": "select", "columns": ["id", "amount"]},
               {"kind": "filter", "column": "amount", "op": "gt", "value": 10},
               {"kind": "sample", "fraction": 0.25, "seed": 7}
             ],
             "limit": 500, "tags": ["nightly", "finance"]}
            """#)
        #expect(schema.validate(parameters) == [])
        #expect(schema.isValid(parameters))
    }

    @Test func badDocumentReportsEveryProblemInOrder() throws {
        let schema = try JSONSchema(text: Self.schemaText)
        let parameters = try JSONValue.parse(
            #"""
            {"source": {"uri": "http://example.com/x", "format": "xml"},
             "steps": [
               {"kind": "select", "columns": ["id", "Amount"]},
               {"kind": "filter", "column": "amount", "op": "gte", "value": 10},
               {"kind": "sample", "fraction": 0},
               {"kind": "join", "with": "other"}
             ],
             "limit": 0, "tags": ["a", "a"], "colour": "red"}
            """#)
        let expected = [
            #"(root): unexpected property "colour" (allowed: limit, source, steps, tags)"#,
            "/limit: must be >= 1, got 0",
            #"/source/format: must be one of ["csv", "jsonl"], got "xml""#,
            #"/source/uri: must match pattern ^(s3|file)://, got "http://example.com/x""#,
            "/steps/0: must match exactly one schema in oneOf, matched 0 (closest: oneOf/0)",
            #"/steps/0/columns/1: must match pattern ^[a-z_][a-z0-9_]*$, got "Amount""#,
            "/steps/1: must match exactly one schema in oneOf, matched 0 (closest: oneOf/1)",
            #"/steps/1/op: must be one of ["eq", "ne", "lt", "gt"], got "gte""#,
            "/steps/2: must match exactly one schema in oneOf, matched 0 (closest: oneOf/2)",
            "/steps/2/fraction: must be > 0, got 0",
            // No branch has kind "join"; all three are equally far, so the first is shown.
            #"/steps/3: missing required property "columns""#,
            "/steps/3: must match exactly one schema in oneOf, matched 0 (closest: oneOf/0)",
            #"/steps/3: unexpected property "with" (allowed: columns, kind)"#,
            #"/steps/3/kind: must be "select", got "join""#,
            "/tags: must not contain duplicates, item 1 equals item 0",
        ]
        let violations = schema.validate(parameters)
        #expect(violations.map(\.description) == expected)
        #expect(!schema.isValid(parameters))

        let limit = violations.first { $0.instancePath == "/limit" }
        #expect(
            limit == JSONSchemaViolation(instancePath: "/limit", keyword: "minimum", message: "must be >= 1, got 0"))
    }

    @Test func missingTopLevelRequirements() throws {
        let schema = try JSONSchema(text: Self.schemaText)
        #expect(
            schema.validate(["steps": []]).map(\.description) == [
                #"(root): missing required property "source""#,
                "/steps: must have at least 1 item, got 0",
            ])
        #expect(schema.validate("run everything").map(\.description) == ["(root): must be of type object, got string"])
    }

    @Test func oneSchemaValidatesConcurrently() async throws {
        let schema = try JSONSchema(text: Self.schemaText)
        let good = try JSONValue.parse(
            #"{"source": {"uri": "file:///x", "format": "jsonl"}, "steps": [{"kind": "sample", "fraction": 1}]}"#)
        let bad = try JSONValue.parse(
            #"{"source": {"uri": "file:///x", "format": "jsonl"}, "steps": [{"kind": "sample", "fraction": 2}]}"#)
        let expectedBad = schema.validate(bad)
        #expect(expectedBad.count == 2)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    index.isMultiple(of: 2) ? schema.validate(good).isEmpty : schema.validate(bad) == expectedBad
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 64)
        #expect(outcomes.allSatisfy { $0 })
    }
}
