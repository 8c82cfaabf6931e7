import MimirCore

/// An entity given in a job's `entities`: created when new, otherwise its listed relationships
/// replaced and its listed attributes set.
struct EntityUpsert: Sendable {
    let index: Int
    let id: String
    let type: String
    let attributes: [String: JSONValue]
    let relationships: [String: [String]]
    let timestamp: JSONValue?

    var path: String { "entities[\(index)]" }
}

/// Reads and applies the `entities` parameter. Its problems always refuse the job, whatever
/// `on_invalid` says: a twin whose structure is half-applied would mislead every later update.
enum EntityUpserts {
    static func parse(_ value: JSONValue?, problems: inout ProblemList) -> [EntityUpsert] {
        guard let value else { return [] }
        guard let items = value.arrayValue else {
            problems.add("entities", "an array of {\"id\", \"type\", \"attributes\", \"relationships\"}")
            return []
        }
        var upserts: [EntityUpsert] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "entities[\(index)]"
            guard let object = item.objectValue else {
                problems.add(path, "an entity is an object with id and type")
                continue
            }
            let allowed = ["id", "type", "attributes", "relationships", "timestamp"]
            for key in object.keys.sorted() where !allowed.contains(key) {
                problems.add("\(path).\(key)", "unknown key (allowed: \(allowed.joined(separator: ", ")))")
            }
            guard let id = object["id"]?.stringValue, Names.isIdentifierLike(id) else {
                problems.add("\(path).id", "required: \(Names.idRule)")
                continue
            }
            guard seen.insert(id).inserted else {
                problems.add("\(path).id", "entity \"\(id)\" is listed twice")
                continue
            }
            guard let type = object["type"]?.stringValue else {
                problems.add("\(path).type", "required: the entity's type")
                continue
            }
            var relationships: [String: [String]] = [:]
            for (name, targets) in object["relationships"]?.objectValue ?? [:] {
                switch targets {
                case .string(let target): relationships[name] = [target]
                case .null: relationships[name] = []
                case .array(let list) where list.allSatisfy({ $0.stringValue != nil }):
                    relationships[name] = list.compactMap(\.stringValue)
                default: problems.add("\(path).relationships.\(name)", "an entity id, an array of ids, or null")
                }
            }
            if let given = object["relationships"], given.objectValue == nil {
                problems.add("\(path).relationships", "an object of relationship name to entity ids")
            }
            if let given = object["attributes"], given.objectValue == nil {
                problems.add("\(path).attributes", "an object of attribute name to value")
            }
            upserts.append(
                EntityUpsert(
                    index: index, id: id, type: type, attributes: object["attributes"]?.objectValue ?? [:],
                    relationships: relationships, timestamp: object["timestamp"]))
        }
        return upserts
    }

    /// Creates the new entities and sets the listed relationships; returns the ids created and
    /// the listed attribute values as observations (origin `entities[i].attributes.name`).
    static func apply(_ upserts: [EntityUpsert], to editor: inout RelationshipEditor, problems: inout ProblemList)
        -> (added: [String], observations: [Observation])
    {
        let schema = editor.schema
        var added: [String] = []
        for upsert in upserts {
            guard schema.entityTypes[upsert.type] != nil else {
                let known = schema.entityTypes.keys.sorted().joined(separator: ", ")
                problems.add("\(upsert.path).type", "unknown entity type \"\(upsert.type)\" (\(known))")
                continue
            }
            if let existing = editor.entities[upsert.id] {
                if existing.type != upsert.type {
                    problems.add("\(upsert.path).type", "entity \"\(upsert.id)\" exists as a \(existing.type)")
                }
            } else {
                editor.entities[upsert.id] = TwinEntity(id: upsert.id, type: upsert.type)
                added.append(upsert.id)
            }
        }
        var observations: [Observation] = []
        for upsert in upserts where editor.entities[upsert.id]?.type == upsert.type {
            for (name, targets) in upsert.relationships.sorted(by: { $0.key < $1.key }) {
                let path = "\(upsert.path).relationships.\(name)"
                if checkLinks(upsert, name, targets, editor: editor, path: path, problems: &problems) {
                    editor.setLinks(upsert.id, name, to: targets)
                }
            }
            for (name, value) in upsert.attributes.sorted(by: { $0.key < $1.key }) {
                observations.append(
                    Observation(
                        entity: upsert.id, attribute: name, value: value, timestamp: upsert.timestamp,
                        origin: "\(upsert.path).attributes.\(name)"))
            }
        }
        return (added, observations)
    }

    private static func checkLinks(
        _ upsert: EntityUpsert, _ name: String, _ targets: [String], editor: RelationshipEditor, path: String,
        problems: inout ProblemList
    ) -> Bool {
        guard let spec = editor.schema.relationship(name, ofType: upsert.type) else {
            let known =
                editor.schema.entityTypes[upsert.type]?.relationships.keys.sorted().joined(separator: ", ") ?? ""
            problems.add(path, "\(upsert.type) has no relationship \"\(name)\" (\(known))")
            return false
        }
        if spec.cardinality == .one && targets.count > 1 {
            problems.add(path, "\(upsert.type).\(name) links to one \(spec.target), not \(targets.count)")
            return false
        }
        if Set(targets).count != targets.count {
            problems.add(path, "an entity is listed twice")
            return false
        }
        var valid = true
        for target in targets {
            guard let entity = editor.entities[target] else {
                problems.add(path, "the twin has no entity \"\(target)\"")
                valid = false
                continue
            }
            if entity.type != spec.target {
                problems.add(path, "\"\(target)\" is a \(entity.type), not a \(spec.target)")
                valid = false
            }
        }
        return valid
    }
}
