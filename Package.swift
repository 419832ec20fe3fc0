// swift-tools-version:6.0
import PackageDescription

// Release builds specialise the generic numerics across modules; without it the Float tape
// would run through unspecialised generic code.
let fast: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
  name: "oneshot",
  products: [
    .executable(name: "oneshot", targets: ["oneshot"]),
    .executable(name: "oneshot-bench", targets: ["Benchmarks"]),
  ],
  targets: [
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
    ),
    .target(name: "Numerics", dependencies: ["COpenBLAS"], swiftSettings: fast),
    .target(name: "Autodiff", dependencies: ["Numerics"], swiftSettings: fast),
    .target(name: "InverseProblems", dependencies: ["Numerics", "Autodiff"], swiftSettings: fast),
    .target(name: "Search", dependencies: ["Numerics", "Autodiff", "InverseProblems"], swiftSettings: fast),
    .target(name: "Study", dependencies: ["Numerics", "InverseProblems", "Search"], swiftSettings: fast),
    .executableTarget(name: "oneshot", dependencies: ["Study"], swiftSettings: fast),
    .executableTarget(
      name: "Benchmarks", dependencies: ["Study"], path: "Benchmarks", exclude: ["results", "peer_replay.py"],
      swiftSettings: fast),
    .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
    .testTarget(name: "AutodiffTests", dependencies: ["Autodiff"]),
    .testTarget(name: "InverseProblemsTests", dependencies: ["InverseProblems"]),
    .testTarget(name: "SearchTests", dependencies: ["Search"]),
    .testTarget(name: "StudyTests", dependencies: ["Study"]),
  ],
  swiftLanguageModes: [.v6]
)
