import MimirCore
import Testing

@Suite("Semantic versions")
struct SemanticVersionTests {
    @Test(
        "valid versions parse into their parts",
        arguments: ["0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha.1", "1.0.0+build.7", "1.0.0-rc.1+sha.5114f85"])
    func valid(text: String) throws {
        let version = try #require(SemanticVersion(text))
        #expect(version.description == text)
    }

    @Test(
        "invalid versions are rejected",
        arguments: [
            "1.2", "v1.2.3", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-01", "1.2.3+", "", "a.b.c", "1..3",
            "1.2.3-a..b",
        ])
    func invalid(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("precedence follows semver.org section 11")
    func ordering() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0",
        ]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
            #expect(!(higher < lower))
        }
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test func jobTypes() {
        #expect(Identifiers.isValidJobType("ml_training"))
        #expect(Identifiers.isValidJobType("a"))
        #expect(Identifiers.isValidJobType(String(repeating: "a", count: 64)))
        #expect(!Identifiers.isValidJobType(String(repeating: "a", count: 65)))
        #expect(!Identifiers.isValidJobType("Bad-Type"))
        #expect(!Identifiers.isValidJobType("1abc"))
        #expect(!Identifiers.isValidJobType(""))
        #expect(!Identifiers.isValidJobType("ml training"))
    }

    @Test func pluginNames() {
        #expect(Identifiers.isValidPluginName("text-stats"))
        #expect(Identifiers.isValidPluginName("MLTraining.v2_beta"))
        #expect(!Identifiers.isValidPluginName(""))
        #expect(!Identifiers.isValidPluginName("has space"))
        #expect(!Identifiers.isValidPluginName("slash/name"))
    }
}
