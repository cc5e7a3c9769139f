import Foundation
import KnutepunktTesting
import KnutepunktWorkspace
import Testing

/// `knutepunkt workspace token`, as an operator runs it: the token printed once, only its digest stored.
@Suite struct WorkspaceTokenCommandTests {
    @Test func aPersonalTokenIsPrintedOnceAndOnlyItsDigestIsStored() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.file("workspace-access")
        let run = try await CommandRun.knutepunkt([
            "workspace", "token", "--name", "lise", "--role", "lead", "--append", file,
        ])
        #expect(run.status == 0, "\(run.errors)")
        let token = try #require(run.output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(try !String(contentsOfFile: file, encoding: .utf8).contains(token))
        #expect(try WorkspaceAccess.load(path: file).user(forToken: token) == WorkspaceUser(name: "lise", role: .lead))
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let refused = try await CommandRun.knutepunkt(["workspace", "token", "--name", "x", "--role", "viewer"])
        #expect(refused.status == 64 && refused.errors.contains("coordinator or lead"))
    }
}
