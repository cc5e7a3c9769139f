import ArgumentParser
import Foundation
import KnutepunktConfig

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

        @Flag(
            name: .long,
            help: """
                The daemon files of one folder run on different machines or containers: don't report two of them \
                binding the same port.
                """
        )
        var separateHosts = false

        @Option(
            name: .customLong("set"),
            help: ArgumentHelp(
                "Check with this key set, as a daemon's --set does (repeatable).",
                valueName: "SECTION.KEY=VALUE"
            )
        )
        var settings: [String] = []

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
            // Daemon files are checked as the daemon would read them: with the KNUTEPUNKT_HUB_* / KNUTEPUNKT_NODE_*
            // environment and any --set laid over them.
            var overrides = ConfigOverrides.environment(ProcessInfo.processInfo.environment)
            overrides.add(settings: settings)
            for entry in overrides.entries { print("using  \(entry.origin) = \(entry.value)") }
            var failures = 0
            for (file, report) in ConfigurationCheck.reports(
                for: files,
                overrides: overrides,
                separateHosts: separateHosts
            ) {
                // Errors fail the check; warnings (e.g. regional births far from the national figure) are shown only.
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
