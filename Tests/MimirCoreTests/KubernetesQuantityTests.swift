import MimirCore
import Testing

@Suite("KubernetesQuantity")
struct KubernetesQuantityTests {
    @Test(
        "suffixes as the Kubernetes API reads them",
        arguments: [
            ("2", 2.0), ("1.5", 1.5), (".5", 0.5), ("+3", 3), ("-2", -2), ("500m", 0.5), ("250u", 250e-6),
            ("7n", 7e-9), ("3k", 3000), ("2M", 2e6), ("1G", 1e9), ("4T", 4e12), ("5P", 5e15), ("1E", 1e18),
            ("1Ki", 1024), ("512Mi", 536_870_912), ("1Gi", 1_073_741_824), ("2Ti", 2_199_023_255_552),
            ("1Pi", 1_125_899_906_842_624), ("1Ei", 1_152_921_504_606_846_976), ("1e3", 1000), ("15E-1", 1.5),
            ("2e+2", 200),
        ])
    func parses(text: String, expected: Double) throws {
        let quantity = try #require(KubernetesQuantity(text))
        // Within a rounding step: 7n is 7 × 1e-9, which is not exactly 7e-9 in binary.
        #expect(abs(quantity.value - expected) <= abs(expected) * 1e-15, "\(quantity.value)")
        #expect(quantity.text == text)
    }

    @Test(
        "anything else is not a quantity",
        arguments: ["", "m", "Gi", "1.2.3", "1 Gi", "1gi", "1KiB", "1e", "1e19", "1e-19", "1x", "--1", "1Mi ", "١٢"])
    func refuses(text: String) {
        #expect(KubernetesQuantity(text) == nil)
    }
}
