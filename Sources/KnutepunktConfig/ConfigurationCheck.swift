import Foundation
import KnutepunktCore
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

        package var passed: Bool { errors.isEmpty }
    }

    /// Every error and warning found in `file`.
    package static func report(for file: String) -> Report {
        if isTaxonomy(file) {
            let inspection = TaxonomyFile.inspect(path: file)
            return Report(errors: inspection.errors, warnings: inspection.warnings)
        }
        if GapThresholdsFile.isThresholds(file) {
            // Profession codes are checked against the taxonomy beside the file, when there is one.
            let taxonomyPath = ((file as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("taxonomy.yaml")
            let taxonomy = try? TaxonomyFile.load(path: taxonomyPath)
            do {
                _ = try GapThresholdsFile.load(path: file, taxonomy: taxonomy)
                return Report(errors: [], warnings: [])
            } catch {
                return Report(errors: error.errors, warnings: [])
            }
        }
        do {
            _ = try DaemonConfiguration.load(path: file)
            return Report(errors: [], warnings: [])
        } catch {
            return Report(errors: error.errors, warnings: [])
        }
    }

    /// Every error found in `file`, as readable lines (empty: the file is good). Warnings are left out.
    package static func problems(in file: String) -> [String] {
        report(for: file).errors.map(\.description)
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
