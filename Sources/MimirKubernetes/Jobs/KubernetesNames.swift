/// Names and label values derived from image references and worker ids. Kubernetes refuses a Job
/// whose name or labels break its rules, so everything user-chosen is squeezed into them here.
public enum KubernetesNames {
    /// The longest label value and object name used (DNS-1123 label).
    public static let maximumLength = 63

    /// The image's repository basename without registry, tag or digest, as a DNS-1123 fragment
    /// of at most `limit` characters: `ghcr.io/acme/mimir-worker-ml:1.2` → `mimir-worker-ml`.
    public static func shortImageSlug(_ image: String, limit: Int = 20) -> String {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        if let slash = reference.lastIndex(of: "/") { reference = reference[reference.index(after: slash)...] }
        if let colon = reference.lastIndex(of: ":") { reference = reference[..<colon] }
        let slug = dns1123(String(reference), limit: limit)
        return slug.isEmpty ? "image" : slug
    }

    /// Lowercase letters, digits and single `-`, starting and ending with an alphanumeric.
    public static func dns1123(_ text: String, limit: Int) -> String {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty, result.last != "-" {
                result.append("-")
            }
        }
        return trimmed(String(result.prefix(limit)), keep: isLowerAlphanumeric)
    }

    /// A label value (≤ 63 of `[A-Za-z0-9_.-]`, alphanumeric at both ends) for any text; when the
    /// text has to be shortened or changed a hash of the original keeps different texts apart.
    public static func labelValue(_ text: String) -> String {
        var mapped = ""
        for scalar in text.unicodeScalars {
            mapped.unicodeScalars.append(isLabelCharacter(scalar) ? scalar : "_")
        }
        let exact = trimmed(mapped, keep: isAlphanumeric)
        if exact == text, exact.count <= maximumLength { return exact }
        let hash = fnv1a(text)
        let room = maximumLength - hash.count - 1
        let prefix = trimmed(String(exact.prefix(room)), keep: isAlphanumeric)
        return prefix.isEmpty ? hash : "\(prefix)-\(hash)"
    }

    /// `mimir-worker-<slug>-<suffix>`: ≤ 63 characters, DNS-1123.
    public static func jobName(image: String, suffix: String) -> String {
        let prefix = "mimir-worker-"
        let cleanSuffix = dns1123(suffix, limit: 16)
        let room = maximumLength - prefix.count - cleanSuffix.count - 1
        return "\(prefix)\(shortImageSlug(image, limit: min(20, room)))-\(cleanSuffix)"
    }

    /// Random suffix characters as Kubernetes' `generateName` picks them (no vowels, no 0/1/3).
    public static func randomSuffix(length: Int = 6) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<length).map { _ in alphabet.randomElement() ?? "x" })
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "-" || scalar == "_" || scalar == "."
    }

    private static func trimmed(_ text: String, keep: (Character) -> Bool) -> String {
        var slice = Substring(text)
        while let first = slice.first, !keep(first) { slice = slice.dropFirst() }
        while let last = slice.last, !keep(last) { slice = slice.dropLast() }
        return String(slice)
    }

    /// 8 hex digits of FNV-1a: stable across processes (unlike `Hasher`), which labels need.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
