// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// libFuzzer entry points, one per parser family (see scripts/fuzz). Each is a one-line main naming its target
/// for `ProvisioFuzzing`'s FuzzDriver (CLibFuzzer declares libFuzzer's driver); built plainly it replays input files, built with
/// `-sanitize=fuzzer` it is the fuzzer.
let fuzzTargets: [(product: String, target: String)] = [
    ("fuzz-mqtt-codec", "FuzzMQTTCodec"),
    ("fuzz-twin-query", "FuzzTwinQuery"),
    ("fuzz-routing-query", "FuzzRoutingQuery"),
    ("fuzz-json-bodies", "FuzzJSONBodies"),
    ("fuzz-csr", "FuzzCSR"),
    ("fuzz-tpm", "FuzzTPM"),
    ("fuzz-amqp-codec", "FuzzAMQPCodec"),
]

let package = Package(
    name: "Provisio",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "provisio", targets: ["ProvisioCLI"]),
        .executable(name: "provisio-codec-bench", targets: ["MQTTCodecBenchmark"]),
        .executable(name: "provisio-bench", targets: ["ProvisioBenchmark"]),
    ] + fuzzTargets.map { .executable(name: $0.product, targets: [$0.target]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
    ],
    targets: [
        .target(
            name: "MQTTCodec",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "AMQPCodec",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "PKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AccessControl",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "Provisioning",
            dependencies: ["AccessControl", "PKI", .product(name: "X509", package: "swift-certificates"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "SwiftASN1", package: "swift-asn1"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"), .product(name: "BigInt", package: "BigInt")],
            swiftSettings: strict
        ),
        .target(
            name: "Hub",
            dependencies: ["Provisioning", "AccessControl"],
            swiftSettings: strict
        ),
        .target(
            name: "Routing",
            dependencies: [
                "Hub", "Provisioning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Storage",
            dependencies: [
                "PKI", "AccessControl", "Provisioning", "Hub", "Routing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "MQTTCodec", "AMQPCodec", "PKI", "AccessControl", "Provisioning", "Hub", "Routing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ProvisioServer",
            dependencies: [
                "Gateway", "PKI", "AccessControl", "Storage", "Provisioning", "Hub", "Routing", "MQTTCodec", "AMQPCodec",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ProvisioCLI",
            dependencies: [
                "ProvisioServer", "PKI", "Storage", "Provisioning", "AccessControl",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MQTTCodecBenchmark",
            dependencies: ["MQTTCodec", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ProvisioBenchmark",
            dependencies: [
                "MQTTCodec", "AMQPCodec", "AccessControl", "PKI", "Storage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MQTTCodecTests",
            dependencies: ["MQTTCodec", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOTestUtils", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMQPCodecTests",
            dependencies: ["AMQPCodec", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOTestUtils", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PKITests",
            dependencies: [
                "PKI",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RoutingTests",
            dependencies: ["Routing", "Hub", "Provisioning", "Storage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "AccessControlTests", dependencies: ["AccessControl"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "PKI", "AccessControl", "Provisioning", "Hub"], swiftSettings: strict),
        .target(
            name: "ProvisioTestSupport",
            dependencies: [
                "Provisioning",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/ProvisioTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: [
                "ProvisioTestSupport", "Provisioning", "AccessControl", "PKI",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "ProvisioTestSupport", "Gateway", "MQTTCodec", "PKI", "Provisioning", "AccessControl", "Hub",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ProvisioFuzzing",
            dependencies: [
                "MQTTCodec", "AMQPCodec", "AccessControl", "Hub", "Routing", "Provisioning", "PKI", "CLibFuzzer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ProvisioFuzzingTests", dependencies: ["ProvisioFuzzing"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "MQTTCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["python"],
            swiftSettings: strict
        ),
    ] + fuzzTargets.map {
        .executableTarget(name: $0.target, dependencies: ["ProvisioFuzzing"], path: "Sources/Fuzz/\($0.target)",
                          swiftSettings: strict)
    } + [.target(name: "CLibFuzzer", path: "Sources/Fuzz/CLibFuzzer")]
)
