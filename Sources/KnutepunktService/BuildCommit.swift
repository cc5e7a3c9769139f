#if !KNUTEPUNKT_BUILD_COMMIT
extension BuildInfo {
    /// The git commit this binary was built from. `make release` and `make package` write it into
    /// `BuildCommit+Generated.swift` (Deploy/build-commit.sh, not in the repository) and compile that file in with
    /// `-DKNUTEPUNKT_BUILD_COMMIT`; every other build (`swift build`, the tests) has none and says so.
    package static let commit: String? = nil
}
#endif
