import MimirCore

extension Table {
    /// SHA-256 of the table as given, so an artifact says exactly which data trained it. The digest
    /// covers, column by column: the column name, a 0x1E byte, then each cell in row order as a tag
    /// (`n` null, `b` boolean, `i` integer, `d` other number, `s` string, `j` nested JSON), its text
    /// (numbers as Swift prints them, nested values as compact JSON with sorted keys) and a 0x1F byte.
    /// The CSV cell "1.0" and the JSON number 1.0 therefore fingerprint differently: the fingerprint
    /// is of the data, not of what it means.
    public var fingerprint: String {
        var digest = SHA256()
        for (index, name) in columns.enumerated() {
            digest.update(name.utf8)
            digest.update([0x1E])
            for cell in storage[index] {
                switch cell {
                case .null: digest.update([UInt8(ascii: "n")])
                case .bool(let flag): digest.update(("b" + (flag ? "true" : "false")).utf8)
                case .integer(let number): digest.update(("i" + String(number)).utf8)
                case .number(let number): digest.update(("d" + number.description).utf8)
                case .string(let text):
                    digest.update([UInt8(ascii: "s")])
                    digest.update(text.utf8)
                case .array, .object: digest.update(("j" + cell.jsonText()).utf8)
                }
                digest.update([0x1F])
            }
        }
        return "sha256:" + digest.finalize()
    }
}
