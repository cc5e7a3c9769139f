import Foundation
import KnutepunktDomain
import Yams

/// What `knutepunkt config check` runs on one file: taxonomy files are read and checked for consistency, daemon
/// files are loaded together with the taxonomy they name.
package enum ConfigurationCheck {
    /// The outcome for one file. Each entry names the file, the key and the fix.
    package struct Report: Sendable {
        /// Mistakes that make the file unusable; the check fails when there are any.
        package var errors: [ConfigError]
        /// Things worth a look that don't fail the check (e.g. regional births that don't add up nationally).
        package var warnings: [ConfigError]
        /// What an installation has still to do before the daemon can start, the file itself being right: key files
        /// not in place yet, an example address not replaced (``ConfigError/isInstallationStep``). Expected on a fresh
        /// install or checkout; `config check --ready` fails on them, as the daemon does.
        package var pending: [ConfigError] = []

        package init(errors: [ConfigError], warnings: [ConfigError], pending: [ConfigError] = []) {
            self.errors = errors
            self.warnings = warnings
            self.pending = pending
        }

        /// Split `problems` into mistakes and installation steps.
        init(problems: [ConfigError], warnings: [ConfigError] = []) {
            self.init(
                errors: problems.filter { !$0.isInstallationStep },
                warnings: warnings,
                pending: problems.filter(\.isInstallationStep)
            )
        }

        /// The file has no mistakes (it may still wait for installation steps).
        package var passed: Bool { errors.isEmpty }
        /// The file has no mistakes and nothing waits: the daemon can start with it on this machine.
        package var ready: Bool { errors.isEmpty && pending.isEmpty }
    }

    /// Every error and warning found in `file`.
    package static func report(for file: String, overrides: ConfigOverrides = .none) -> Report {
        inspect(file, overrides: overrides).report
    }

    /// The report of `file`, and for a daemon file the addresses it binds.
    private static func inspect(_ file: String, overrides: ConfigOverrides) -> (report: Report, bindings: [PortBinding])
    {
        if isTaxonomy(file) {
            let inspection = TaxonomyFile.inspect(path: file)
            return (Report(problems: inspection.errors, warnings: inspection.warnings), [])
        }
        if GapThresholdsFile.isThresholds(file) {
            // Profession codes are checked against the taxonomy beside the file, when there is one.
            let taxonomyPath = ((file as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("taxonomy.yaml")
            let taxonomy = try? TaxonomyFile.load(path: taxonomyPath)
            do {
                _ = try GapThresholdsFile.load(path: file, taxonomy: taxonomy)
                return (Report(errors: [], warnings: []), [])
            } catch {
                return (Report(problems: error.errors), [])
            }
        }
        let inspection = DaemonConfiguration.inspect(path: file, overrides: overrides)
        return (Report(problems: inspection.errors), inspection.bindings)
    }

    /// The reports of several files: each file's own (with `overrides` laid over daemon files), and, unless
    /// `separateHosts`, a clash between two daemon files in one folder that bind the same address (one folder is
    /// taken to be one machine's configuration, like `/etc/knutepunkt` or `Configs/local`). Clashes are found whatever
    /// else is wrong with the files, so one run shows everything.
    package static func reports(
        for files: [String],
        overrides: ConfigOverrides = .none,
        separateHosts: Bool = false
    ) -> [(file: String, report: Report)] {
        var results: [(file: String, report: Report)] = []
        var bound: [String: [(file: String, binding: PortBinding)]] = [:]
        for file in files {
            var (report, bindings) = inspect(file, overrides: overrides)
            let folder = (file as NSString).deletingLastPathComponent
            for binding in bindings {
                if !separateHosts,
                    let other = bound[folder, default: []].first(where: { $0.binding.clashes(with: binding) })
                {
                    report.errors.append(
                        ConfigError(
                            code: .inconsistent,
                            file: file,
                            key: binding.key,
                            message: """
                                \(binding) clashes with \(other.binding.key) (\(other.binding)) in \(other.file): \
                                two daemons on one machine cannot bind one port
                                """,
                            fix:
                                "Give one of them another port (or check with --separate-hosts if they run on different machines)"
                        )
                    )
                }
                bound[folder, default: []].append((file, binding))
            }
            results.append((file, report))
        }
        return results
    }

    /// Every error found in `file`, installation steps included, as readable lines (empty: the file is good and
    /// ready). Warnings are left out.
    package static func problems(in file: String) -> [String] {
        let report = report(for: file)
        return (report.errors + report.pending).map(\.description)
    }

    /// A taxonomy file is one named `taxonomy*.yaml`, or one whose top-level keys are taxonomy keys (`regions:`,
    /// `programmes:`, …) rather than `node:` or `hub:`. Files that can't be parsed go to the daemon loader, which
    /// reports the syntax error all the same.
    static func isTaxonomy(_ file: String) -> Bool {
        if (file as NSString).lastPathComponent.lowercased().hasPrefix("taxonomy") { return true }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let node = try? Yams.compose(yaml: text), let mapping = node.mapping
        else { return false }
        let names = mapping.keys.compactMap(\.string)
        if names.contains("node") || names.contains("hub") { return false }
        return names.contains { TaxonomyFile.keys.contains($0) }
    }
}
