// swift-tools-version:6.1
import PackageDescription

// One package, four products: the wire types both halves share, the SDK, the server
// library and the `poolse` command. The SDK depends on nothing but PoolseWire, except
// on Linux, where its WebSocket transport is WSClient (swift-websocket).
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "poolse-swift",
    platforms: [.macOS(.v14), .iOS(.v17), .tvOS(.v17), .watchOS(.v10)],
    products: [
        .library(name: "PoolseWire", targets: ["PoolseWire"]),
        .library(name: "Poolse", targets: ["Poolse"]),
        .library(name: "PoolseServer", targets: ["PoolseServer"]),
        .library(name: "PoolseState", targets: ["PoolseState"]),
        .library(name: "PoolseChatUI", targets: ["PoolseChatUI"]),
        .executable(name: "poolse", targets: ["poolse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // The gateway's WebSocket pieces, and the SDK's WebSocket client on Linux only
        // (Foundation's libcurl there has no WebSocket; Apple platforms use URLSession).
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The tests' stand-in APNs server speaks HTTP/2 (the server itself reaches APNs through
        // AsyncHTTPClient, which brings this package anyway).
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // PoolseState's offline store (links the system SQLite on Linux: libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(name: "PoolseWire", swiftSettings: strictSwift),
        .target(
            name: "Poolse",
            dependencies: [
                "PoolseWire",
                .product(name: "WSClient", package: "swift-websocket", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: strictSwift
        ),
        // Observable models for SwiftUI apps over the SDK, with an offline store and outbox.
        .target(
            name: "PoolseState",
            dependencies: ["Poolse", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // `poolse chat`: the terminal client's state, rendering, input and terminal layer.
        .target(name: "PoolseChatUI", dependencies: ["PoolseState"], swiftSettings: strictSwift),
        .target(
            name: "PoolseServer",
            dependencies: [
                "PoolseWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                // Storage/SQLite drives SQLite through the C module `VaporCSQLite` that sqlite-nio
                // bundles (one SQLite in the process). That module is not a product of its own;
                // it comes with SQLiteNIO, declared here so the import has a declared source.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RS256 for the FCM service-account assertion (Push/FCM).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The gateway's own upgrade channel (Realtime/RealtimeServerChannel.swift) needs
                // the pieces HummingbirdWebSocket is built from.
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("OpenAPI/openapi.json")],
            swiftSettings: strictSwift
        ),
        .target(
            name: "PoolseBench",
            dependencies: [
                "PoolseServer", "PoolseWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "poolse",
            dependencies: [
                "PoolseServer", "Poolse", "PoolseBench", "PoolseChatUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        // PoolseStateTests' child process: holds a store until the test kills it.
        .executableTarget(name: "poolse-state-probe", dependencies: ["PoolseState"], swiftSettings: strictSwift),
        // Test helpers more than one test target needs: the one server fixture (`ServerFixture`:
        // nodes, databases, REST, raw Phoenix sockets, `eventually`) and a throwaway S3 server.
        .target(
            name: "PoolseTestSupport",
            dependencies: [
                "PoolseServer", "PoolseWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/PoolseTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(name: "PoolseWireTests", dependencies: ["PoolseWire"], swiftSettings: strictSwift),
        .testTarget(name: "PoolseTests", dependencies: ["Poolse"], swiftSettings: strictSwift),
        .testTarget(
            name: "PoolseServerTests",
            dependencies: [
                "PoolseServer", "PoolseTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // The stand-in APNs (HTTP/2 over TLS) and FCM servers.
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "PoolseBenchTests",
            dependencies: [
                "PoolseBench", "PoolseServer", "PoolseWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "PoolseStateTests",
            dependencies: ["PoolseState", "Poolse", "PoolseServer", "PoolseTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "PoolseChatUITests",
            dependencies: ["PoolseChatUI", "PoolseState"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Poolse", "PoolseServer", "PoolseTestSupport"],
            swiftSettings: strictSwift
        ),
    ]
)
