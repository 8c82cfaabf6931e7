/// xoshiro256** seeded through SplitMix64 (Blackman and Vigna, 2018). Every random choice in the
/// library (splits, folds, bootstrap samples, feature subsets, k-means++ seeding) draws from it and
/// from the helpers below instead of the standard library's, whose shuffling and range sampling
/// are free to change between Swift releases: a seed must give the same model on every platform
/// and toolchain, and the algorithm is simple enough to reimplement elsewhere to reproduce a split.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The state is four successive SplitMix64 outputs starting from `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        state = (
            Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer)
        )
    }

    /// A user seed may be negative; its two's-complement bits are the generator seed.
    public init(seed: Int) {
        self.init(seed: UInt64(bitPattern: Int64(seed)))
    }

    /// An independent generator for a numbered sub-task (one tree, one fold, one k-means run), so
    /// that results do not depend on the order or the thread in which sub-tasks run.
    public init(seed: Int, stream: Int) {
        var mixer = UInt64(bitPattern: Int64(seed)) ^ (UInt64(stream) &+ 1) &* 0xD1B5_4A32_D192_ED03
        self.init(seed: Self.splitMix(&mixer))
    }

    private static func splitMix(_ value: inout UInt64) -> UInt64 {
        value &+= 0x9E37_79B9_7F4A_7C15
        var mixed = value
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 &- count))
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = Self.rotateLeft(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in 0..<bound by Lemire's multiply-and-reject method (unbiased).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// Fisher–Yates from the last position down, drawing `nextIndex(below: i + 1)` for each i.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for position in stride(from: elements.count - 1, to: 0, by: -1) {
            let other = nextIndex(below: position + 1)
            if other != position { elements.swapAt(position, other) }
        }
    }
}
