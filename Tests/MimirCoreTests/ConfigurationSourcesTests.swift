import MimirCore
import Testing

@Suite("Configuration from the environment")
struct ConfigurationSourcesTests {
    static func sources(_ variables: [String: String]) -> ConfigurationSources {
        ConfigurationSources(environment: { variables[$0] })
    }

    @Test("a node selector is key=value pairs; a malformed pair is named")
    func nodeSelector() {
        var sources = Self.sources(["SELECT": "gpu=true, zone = b", "BAD": "gpu"])
        #expect(sources.keyValues("SELECT", [:]) == ["gpu": "true", "zone": "b"])
        #expect(sources.keyValues("UNSET", ["a": "b"]) == ["a": "b"])
        #expect(sources.keyValues("BAD", [:]).isEmpty)
        #expect(sources.errors == [#"BAD must be key=value pairs separated by commas, got "gpu""#])
    }

    @Test("tolerations are a JSON array of objects; anything else is named")
    func tolerations() {
        var sources = Self.sources([
            "GOOD": #"[{"key": "nvidia.com/gpu", "operator": "Exists"}]"#, "NOT_ARRAY": #"{"key": 1}"#,
            "NOT_JSON": "[{",
        ])
        #expect(sources.objectArray("GOOD", []) == [["key": "nvidia.com/gpu", "operator": "Exists"]])
        #expect(sources.objectArray("NOT_ARRAY", []).isEmpty)
        #expect(sources.objectArray("NOT_JSON", []).isEmpty)
        #expect(sources.errors.count == 2)
        #expect(sources.errors.allSatisfy { $0.contains("must be a JSON array of objects") })
    }

    @Test("a malformed number is named and gives nil, not the default; an unset one gives nil")
    func numbers() {
        var sources = Self.sources(["SLOTS": "four", "LEASE": "15s", "GOOD": "2.5", "INF": "inf"])
        #expect(sources.integer(nil, "SLOTS", 1) == 1)
        #expect(sources.integer(nil, "SLOTS") == nil)
        #expect(sources.integer(3, "SLOTS") == 3)
        #expect(sources.number(nil, "LEASE") == nil)
        #expect(sources.number(nil, "GOOD") == 2.5)
        #expect(sources.number(nil, "INF") == nil)
        #expect(sources.number(nil, "UNSET") == nil)
        #expect(
            sources.errors == [
                #"SLOTS must be an integer, got "four""#, #"SLOTS must be an integer, got "four""#,
                #"LEASE must be a number, got "15s""#, #"INF must be a number, got "inf""#,
            ])
    }
}

@Suite("Trimming whitespace")
struct WhitespaceTests {
    @Test("whitespace at either end goes, inner whitespace stays; all-blank gives empty")
    func trims() {
        #expect(" \t a b \n".trimmingWhitespace() == "a b")
        #expect("x"[...].trimmingWhitespace() == "x")
        #expect(" \n\t ".trimmingWhitespace().isEmpty)
        #expect("".trimmingWhitespace().isEmpty)
    }
}
