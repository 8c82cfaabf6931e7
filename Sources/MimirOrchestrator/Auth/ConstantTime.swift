/// Byte comparison whose time depends only on the presented value's length, never on where the
/// first difference is, so response times reveal nothing about a token's prefix.
enum ConstantTime {
    static func equal(_ expected: [UInt8], _ presented: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return presented.isEmpty }
        var difference: UInt8 = expected.count == presented.count ? 0 : 1
        for index in presented.indices {
            difference |= expected[index % expected.count] ^ presented[index]
        }
        return difference == 0
    }
}
