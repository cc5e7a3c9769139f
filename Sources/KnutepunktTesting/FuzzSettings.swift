import Foundation

/// How many inputs the fuzz tests try, and from which seed: fixed for every test run, larger for `make fuzz`.
package enum FuzzSettings {
    package static func iterations(default count: Int) -> Int {
        ProcessInfo.processInfo.environment["KNUTEPUNKT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? count
    }

    package static func seed(default seed: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["KNUTEPUNKT_FUZZ_SEED"].flatMap { UInt64($0) } ?? seed
    }
}
