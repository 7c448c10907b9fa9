// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "loyalty",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LoyaltyKit", targets: ["LoyaltyKit"]),
        .executable(name: "loyalty", targets: ["loyalty"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    ],
    targets: [
        // zlib is on every Linux machine and streams gzip; a Swift package for it would pull in NIO.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Every input byte is hashed for the load ledger: libcrypto's SHA-256 uses the processor's
        // SHA instructions (0.6 s for 700 MB where a hand-written one took 3.7 s), and as a system
        // library it costs no build time, where swift-crypto would compile BoringSSL in every CI run.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "LoyaltyKit",
            dependencies: [
                "CZlib",
                "COpenSSL",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                // Ingest's inner loops touch class state per byte; the dynamic exclusivity checks
                // cost a third of their time. Debug builds (and so the tests) keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "loyalty",
            dependencies: [
                "LoyaltyKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LoyaltyKitTests",
            dependencies: ["LoyaltyKit", .product(name: "GRDB", package: "GRDB.swift")],
            resources: []
        ),
        .testTarget(
            name: "LoyaltyCLITests",
            dependencies: ["LoyaltyKit"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
