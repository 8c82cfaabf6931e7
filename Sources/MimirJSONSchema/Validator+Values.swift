import MimirCore

/// Keywords about the instance's own value: type, enum, const, and the number and string keywords.
extension Validator {
    mutating func checkValue(_ constraint: ValueConstraint, _ instance: JSONValue) {
        switch constraint {
        case .type(let types):
            if !types.contains(where: { $0.admits(instance) }) {
                let expected = MessageFormatting.alternatives(types.map(\.rawValue))
                report("type", "must be of type \(expected), got \(instance.typeName)")
            }
        case .enumeration(let values, let original):
            if !values.contains(instance.canonicalForEquality) {
                let got = MessageFormatting.render(instance)
                report("enum", "must be one of \(MessageFormatting.renderList(original)), got \(got)")
            }
        case .constant(let value, let original):
            if instance.canonicalForEquality != value {
                let got = MessageFormatting.render(instance)
                report("const", "must be \(MessageFormatting.render(original)), got \(got)")
            }
        case .minimum(let limit, let exclusive):
            guard let number = JSONNumber(instance) else { return }
            let order = JSONNumber.compare(number, limit)
            if order == .ascending || (exclusive && order == .same) {
                report(
                    exclusive ? "exclusiveMinimum" : "minimum",
                    "must be \(exclusive ? ">" : ">=") \(limit.text), got \(number.text)")
            }
        case .maximum(let limit, let exclusive):
            guard let number = JSONNumber(instance) else { return }
            let order = JSONNumber.compare(number, limit)
            if order == .descending || (exclusive && order == .same) {
                report(
                    exclusive ? "exclusiveMaximum" : "maximum",
                    "must be \(exclusive ? "<" : "<=") \(limit.text), got \(number.text)")
            }
        case .multipleOf(let divisor):
            guard let number = JSONNumber(instance) else { return }
            if !number.isMultiple(of: divisor) {
                report("multipleOf", "must be a multiple of \(divisor.text), got \(number.text)")
            }
        case .minLength(let minimum):
            guard case .string(let string) = instance else { return }
            // JSON Schema counts code points: "é" written as e + combining accent is 2, an emoji flag is 2.
            let length = string.unicodeScalars.count
            if length < minimum {
                let limit = MessageFormatting.count(minimum, "character", "characters")
                report("minLength", "must be at least \(limit) long, got \(length)")
            }
        case .maxLength(let maximum):
            guard case .string(let string) = instance else { return }
            let length = string.unicodeScalars.count
            if length > maximum {
                let limit = MessageFormatting.count(maximum, "character", "characters")
                report("maxLength", "must be at most \(limit) long, got \(length)")
            }
        case .pattern(let matcher):
            guard case .string(let string) = instance else { return }
            if !matcher.matches(string) {
                report("pattern", "must match pattern \(matcher.source), got \(MessageFormatting.render(instance))")
            }
        }
    }
}
