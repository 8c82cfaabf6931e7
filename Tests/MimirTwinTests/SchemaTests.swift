import MimirCore
import MimirTwin
import Testing

@Suite("Twin schema")
struct SchemaTests {
    private func problems(_ schema: JSONValue) -> [String] {
        do {
            _ = try TwinSchema.parse(schema)
            Issue.record("the schema was accepted")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("the greenhouse schema reads, with derived attributes ordered by dependency")
    func validSchema() throws {
        let schema = try TwinSchema.parse(Fixtures.greenhouseSchema)
        #expect(schema.entityTypes.keys.sorted() == ["Greenhouse", "Sensor"])
        let order = schema.derivedOrder.map(\.description)
        let average = try #require(order.firstIndex(of: "Greenhouse.avg_temperature"))
        let tooHot = try #require(order.firstIndex(of: "Greenhouse.too_hot"))
        #expect(average < tooHot)
        // The inverse declared on one side is known on both.
        #expect(schema.relationship("greenhouse", ofType: "Sensor")?.inverse == "sensors")
        #expect(schema.attribute("temperature", ofType: "Sensor")?.anomaly?.window == 20)
        #expect(schema.attribute("power", ofType: "Sensor")?.anomaly == nil)
        #expect(schema.attribute("setpoint", ofType: "Greenhouse")?.anomaly == nil)
        #expect(schema.attribute("name", ofType: "Greenhouse")?.anomaly == nil)
    }

    @Test("every problem is reported with its path")
    func problemsWithPaths() {
        let found = problems([
            "entity_types": [
                "Sensor": [
                    "attributes": [
                        "temperature": ["type": "flaot"],
                        "mode": ["type": "enum"],
                        "level": ["type": "number", "min": 10, "max": 1, "anomaly": ["window": 1]],
                        "label": ["type": "string", "min": 1],
                        "in": ["type": "string"],
                    ],
                    "relationships": ["site": ["target": "Site", "cardinality": "several"]],
                    "colour": "red",
                ]
            ]
        ])
        #expect(
            found.sorted() == [
                "entity_types.Sensor.attributes.in: \"in\" is a word of the expression language "
                    + "(and, false, in, is, not, null, or, true); choose another name",
                "entity_types.Sensor.attributes.label.min: only a number attribute has min and max rules",
                "entity_types.Sensor.attributes.level.anomaly.window: a whole number from 2 to 10000",
                "entity_types.Sensor.attributes.level.min: min (10.0) is greater than max (1.0)",
                "entity_types.Sensor.attributes.mode.enum: required for type enum: a non-empty array of strings",
                "entity_types.Sensor.attributes.temperature.type: unknown type \"flaot\" (number, string, bool, "
                    + "timestamp, enum)",
                "entity_types.Sensor.colour: unknown key (allowed: attributes, relationships, description)",
                "entity_types.Sensor.relationships.site.cardinality: \"one\" or \"many\"",
            ])
    }

    @Test("relationships must point at declared types with agreeing inverses")
    func relationshipProblems() {
        let found = problems([
            "entity_types": [
                "A": ["relationships": ["bs": ["target": "B", "inverse": "owner"], "cs": ["target": "C"]]],
                "B": ["relationships": ["owner": ["target": "B", "cardinality": "one"]]],
            ]
        ])
        #expect(
            found == [
                "entity_types.A.relationships.bs.inverse: B.owner points at B, not A",
                "entity_types.A.relationships.cs.target: unknown entity type \"C\" (A, B)",
            ])
    }

    @Test("derived expressions are checked against the schema")
    func derivedProblems() {
        let found = problems([
            "entity_types": [
                "Site": [
                    "attributes": [
                        "label": ["type": "string"],
                        "a": ["type": "number", "derived": "avg(sensors.label)"],
                        "b": ["type": "number", "derived": "sensors.temperature * 2"],
                        "c": ["type": "number", "derived": "temperatur + 1"],
                        "d": ["type": "number", "derived": "1 +"],
                        "e": ["type": "number", "derived": "avg(sensors)"],
                        "f": ["type": "number", "derived": "sensors.nothing"],
                    ],
                    "relationships": ["sensors": ["target": "Sensor"]],
                ],
                "Sensor": ["attributes": ["temperature": ["type": "number"], "label": ["type": "string"]]],
            ]
        ])
        let prefix = "entity_types.Site.attributes."
        #expect(
            found == [
                prefix + "a.derived: avg() needs a number attribute; Sensor.label is not one at column 1",
                prefix + "b.derived: Site.sensors links to many Sensor: aggregate it, e.g. avg(sensors.temperature), "
                    + "sum, min, max, count at column 1",
                prefix + "c.derived: Site has no attribute \"temperatur\" (a, b, c, d, e, f, label) at column 1",
                prefix + "d.derived: unexpected end of expression at column 4",
                prefix + "e.derived: avg() needs an attribute: avg(sensors.attribute) at column 1",
                prefix + "f.derived: Sensor has no attribute \"nothing\" (label, temperature) at column 1",
            ])
    }

    @Test("a cycle among derived attributes is a schema error")
    func derivedCycle() {
        let found = problems([
            "entity_types": [
                "Greenhouse": [
                    "attributes": ["total": ["type": "number", "derived": "sum(sensors.share)"]],
                    "relationships": ["sensors": ["target": "Sensor", "inverse": "greenhouse"]],
                ],
                "Sensor": [
                    "attributes": ["share": ["type": "number", "derived": "greenhouse.total / 2"]],
                    "relationships": ["greenhouse": ["target": "Greenhouse", "cardinality": "one"]],
                ],
            ]
        ])
        #expect(
            found == [
                "entity_types.Greenhouse.attributes.total.derived: derived attributes form a cycle: "
                    + "Greenhouse.total → Sensor.share → Greenhouse.total"
            ])
    }
}
