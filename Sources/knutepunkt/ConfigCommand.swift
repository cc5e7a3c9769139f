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

        @Flag(
            name: .long,
            help: """
                Also fail on what an installation still has to do, as the daemon would at start: key files not in \
                place, an example address not replaced. Without it these are listed as "to do" and the check passes \
                (a fresh checkout or install).
                """
        )
        var ready = false

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
            var waiting = 0
            var steps: [ConfigError] = []
            for (file, report) in ConfigurationCheck.reports(
                for: files,
                overrides: overrides,
                separateHosts: separateHosts
            ) {
                // Errors fail the check; installation steps (key files not in place, an example address) fail it only
                // with --ready; warnings (e.g. regional births far from the national figure) are shown only.
                let failed = ready ? !report.ready : !report.passed
                if failed {
                    failures += 1
                    print("ERROR  \(file)")
                } else if !report.pending.isEmpty {
                    waiting += 1
                    print("ok     \(file)   (not ready to run here yet: see \"to do\")")
                } else {
                    print("ok     \(file)")
                }
                for error in report.errors { print("       \(error)") }
                for step in report.pending { print(ready ? "       \(step)" : "       to do: \(step)") }
                for warning in report.warnings { print("       warning: \(warning)") }
                steps += report.pending
            }
            print("\(files.count - failures) passed, \(failures) failed")
            if waiting > 0 {
                let keys = steps.filter { $0.code == .notInPlace }.count
                let addresses = steps.filter { $0.code == .placeholder }.count
                let what = [
                    keys > 0 ? "\(keys) key file\(keys == 1 ? "" : "s") not in place" : nil,
                    addresses > 0 ? "\(addresses) example address\(addresses == 1 ? "" : "es") to replace" : nil,
                ].compactMap { $0 }.joined(separator: ", ")
                print(
                    "\(waiting) of them \(waiting == 1 ? "waits" : "wait") for installation steps (\(what)): expected on a "
                        + "fresh install or checkout; a daemon does not start until they are done (--ready fails on them)"
                )
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
