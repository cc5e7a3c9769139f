import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with configuration files.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check configuration and taxonomy files; every problem is reported with file, key and fix."
        )

        @Argument(help: "Files or folders to check (folders: every .yaml inside). Default: Configs")
        var paths: [String] = ["Configs"]

        func run() async throws {
            var files: [String] = []
            for path in paths {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                    throw ValidationError("\(path): no such file or folder")
                }
                if isFolder.boolValue {
                    let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                    files += found.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
                        (path as NSString).appendingPathComponent($0)
                    }
                } else {
                    files.append(path)
                }
            }
            var failures = 0
            for file in files {
                // Errors fail the check; warnings (e.g. regional births far from the national figure) are shown only.
                let report = ConfigurationCheck.report(for: file)
                if report.passed {
                    print("ok     \(file)")
                } else {
                    failures += 1
                    print("ERROR  \(file)")
                    for error in report.errors { print("       \(error)") }
                }
                for warning in report.warnings { print("       warning: \(warning)") }
            }
            print("\(files.count - failures) passed, \(failures) failed")
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
