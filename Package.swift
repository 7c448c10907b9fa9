// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "loyalty",
    platforms: [.macOS(.v13)],
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
        .target(
            name: "LoyaltyKit",
            dependencies: [
                "CZlib",
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
