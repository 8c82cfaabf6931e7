// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "MimirAIP",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mimir-worker", targets: ["Host"]),
        .executable(name: "mimir-orchestrator", targets: ["Orchestrator"]),
        .executable(name: "mimirctl", targets: ["Control"]),
        .executable(name: "mimir-bench-abi", targets: ["ABICallBenchmark"]),
        .executable(name: "mimir-bench-pipeline", targets: ["PipelineBench"]),
        .executable(name: "mimir-bench-ml", targets: ["MLBench"]),
        // Each executor plugin is its own dynamic library, versioned on its own.
        .library(name: "PipelineExecution", type: .dynamic, targets: ["PipelineExecution"]),
        .library(name: "MLTraining", type: .dynamic, targets: ["MLTraining"]),
        .library(name: "MLInference", type: .dynamic, targets: ["MLInference"]),
        .library(name: "DigitalTwinUpdate", type: .dynamic, targets: ["DigitalTwinUpdate"]),
        // A do-nothing executor for benchmarks; not shipped in worker images.
        .library(name: "MimirNoop", type: .dynamic, targets: ["MimirNoop"]),
        // For Swift plugin authors.
        .library(name: "MimirPluginSDK", targets: ["MimirPluginSDK"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // MARK: C interfaces
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        .systemLibrary(
            // No pkgConfig: hiredis' .pc file adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses
            // with a warning; the header and library are in the default search paths.
            name: "CHiredis", path: "Sources/CHiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CJansson", path: "Sources/CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),

        // MARK: Libraries
        .target(name: "MimirCore", dependencies: ["CJansson"], swiftSettings: strictSettings),
        .target(name: "MimirJSONSchema", dependencies: ["MimirCore"], swiftSettings: strictSettings),
        .target(
            name: "MimirPluginHost",
            dependencies: [
                "PluginABI", "MimirCore", "MimirJSONSchema",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MimirPluginSDK", dependencies: ["PluginABI", "MimirCore"],
            swiftSettings: strictSettings),
        .target(
            name: "MimirWorker",
            dependencies: [
                "MimirPluginHost", "MimirQueue", "MimirCore", "MimirHTTPClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MimirWorkerCommands",
            dependencies: [
                "MimirPluginHost", "MimirCore", "MimirWorker", "MimirQueue", "MimirRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        .target(
            name: "MimirRedis",
            dependencies: [
                "CHiredis", "MimirCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MimirQueue",
            dependencies: ["MimirRedis", "MimirCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .target(
            name: "MimirHTTPClient", dependencies: ["CCurl", "MimirCore"], swiftSettings: strictSettings),
        .target(
            name: "MimirStorage", dependencies: ["MimirCore", "MimirHTTPClient"], swiftSettings: strictSettings),
        .target(name: "MimirExpressions", dependencies: ["MimirCore"], swiftSettings: strictSettings),
        .target(name: "MimirScaling", dependencies: ["MimirCore"], swiftSettings: strictSettings),
        .target(
            name: "MimirKubernetes", dependencies: ["MimirScaling", "MimirHTTPClient", "MimirCore"],
            swiftSettings: strictSettings),
        .target(name: "MimirML", dependencies: ["MimirCore"], swiftSettings: strictSettings),
        .target(
            name: "MimirMLDatasets",
            dependencies: ["MimirML", "MimirPipeline", "MimirStorage", "MimirCore", "MimirPluginSDK"],
            swiftSettings: strictSettings),
        .target(
            name: "MimirPipeline", dependencies: ["MimirExpressions", "MimirCore", "CJansson"],
            swiftSettings: strictSettings),
        .target(
            name: "MimirTwin",
            dependencies: [
                "MimirCore", "MimirRedis", "MimirExpressions", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "MimirOrchestrator",
            dependencies: [
                "MimirQueue", "MimirCore", "MimirJSONSchema", "MimirTwin", "MimirScaling", "MimirKubernetes",
                "MimirStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: strictSettings),

        .target(
            name: "MimirControl",
            dependencies: [
                "MimirHTTPClient", "MimirCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),

        // MARK: Executables (thin)
        .executableTarget(
            name: "Host",
            dependencies: ["MimirWorkerCommands", "MimirCore"],
            swiftSettings: strictSettings),
        .executableTarget(name: "Control", dependencies: ["MimirControl"], swiftSettings: strictSettings),
        .executableTarget(
            name: "Orchestrator",
            dependencies: [
                "MimirOrchestrator", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        // MARK: Executor plugins
        .target(
            name: "PipelineExecution", dependencies: ["MimirPluginSDK", "MimirPipeline", "MimirStorage"],
            path: "Plugins/PipelineExecution", swiftSettings: strictSettings),
        .target(
            name: "MLTraining", dependencies: ["MimirPluginSDK", "MimirML", "MimirMLDatasets", "MimirStorage"],
            path: "Plugins/MLTraining",
            swiftSettings: strictSettings),
        .target(
            name: "MLInference", dependencies: ["MimirPluginSDK", "MimirML", "MimirMLDatasets", "MimirStorage"],
            path: "Plugins/MLInference",
            swiftSettings: strictSettings),
        .target(
            name: "DigitalTwinUpdate",
            dependencies: [
                "MimirPluginSDK", "MimirTwin", "MimirRedis", "MimirStorage", "MimirPipeline",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Plugins/DigitalTwinUpdate", swiftSettings: strictSettings),

        // MARK: Benchmarks
        .target(
            name: "MimirNoop", dependencies: ["MimirPluginSDK"], path: "bench/NoopPlugin",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "MLBench", dependencies: ["MimirML", "MimirCore"], path: "bench/MLBench",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "PipelineBench", dependencies: ["MimirPipeline", "MimirExpressions", "MimirCore"],
            path: "bench/PipelineBench", swiftSettings: strictSettings),
        .executableTarget(
            name: "ABICallBenchmark", dependencies: ["MimirPluginHost", "PluginABI"],
            path: "bench/ABICallBenchmark", swiftSettings: strictSettings),

        // MARK: Tests
        .testTarget(
            name: "MimirCoreTests", dependencies: ["MimirCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "MimirJSONSchemaTests", dependencies: ["MimirJSONSchema", "MimirCore"],
            swiftSettings: strictSettings),
        .target(name: "MimirTestSupport", path: "Tests/MimirTestSupport", swiftSettings: strictSettings),
        .testTarget(
            name: "MimirRedisTests",
            dependencies: ["MimirRedis", "MimirTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirQueueTests",
            dependencies: [
                "MimirQueue", "MimirRedis", "MimirCore", "MimirTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirHTTPClientTests", dependencies: ["MimirHTTPClient", "MimirCore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirExpressionsTests", dependencies: ["MimirExpressions", "MimirCore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirPipelineTests",
            dependencies: ["MimirPipeline", "MimirExpressions", "MimirCore", "MimirTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirMLTests", dependencies: ["MimirML", "MimirCore", "MimirTestSupport"],
            exclude: ["sklearn_reference.py"], swiftSettings: strictSettings),
        .testTarget(name: "MimirScalingTests", dependencies: ["MimirScaling"], swiftSettings: strictSettings),
        .testTarget(
            name: "MimirKubernetesTests",
            dependencies: ["MimirKubernetes", "MimirScaling", "MimirHTTPClient", "MimirCore", "MimirTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirTwinTests",
            dependencies: [
                "MimirTwin", "MimirCore", "MimirRedis", "MimirTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirStorageTests",
            dependencies: ["MimirStorage", "MimirCore", "MimirHTTPClient", "MimirTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirOrchestratorTests",
            dependencies: [
                "MimirOrchestrator", "MimirQueue", "MimirRedis", "MimirCore", "MimirHTTPClient", "MimirJSONSchema",
                "MimirTestSupport", "MimirWorker", "MimirPluginHost", "PluginABI",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        // Real Redis, orchestrator, workers and plugins under kill -9, restarts and outages
        // (docs/reliability.md); its own pass in scripts/test.sh.
        .testTarget(
            name: "MimirFaultInjectionTests",
            dependencies: [
                "MimirQueue", "MimirRedis", "MimirCore", "MimirHTTPClient", "MimirTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "MimirPluginHostTests",
            dependencies: ["MimirPluginHost", "MimirCore", "PluginABI"],
            // The plugins are built by `swift build`/`swift test`; the tests dlopen the results.
            swiftSettings: strictSettings),
    ]
)
