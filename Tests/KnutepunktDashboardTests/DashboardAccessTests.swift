import Foundation
import KnutepunktAccess
import KnutepunktDashboard
import KnutepunktTesting
import Testing

@Suite struct DashboardAccessTests {
    @Test func theDigestIsSHA256() {
        // FIPS 180-2's first test vector.
        #expect(
            DashboardAccess.hexDigest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }

    @Test func aTokenFindsItsUserAndOnlyIts() throws {
        let viewer = DashboardAccess.makeToken()
        let analyst = DashboardAccess.makeToken()
        #expect(viewer.count == 64 && viewer != analyst)
        let file = """
            # role name digest
            viewer   screen  \(DashboardAccess.hexDigest(of: viewer))
            analyst  kari    \(DashboardAccess.hexDigest(of: analyst))   # the analyst

            """
        let access = try DashboardAccess.parse(file, file: "access")
        #expect(access.user(forToken: viewer) == DashboardUser(name: "screen", role: .viewer))
        #expect(access.user(forToken: analyst) == DashboardUser(name: "kari", role: .analyst))
        #expect(access.user(forToken: "") == nil)
        #expect(access.user(forToken: String(viewer.dropLast())) == nil)
        // The file holds digests: the digest itself is not a token.
        #expect(access.user(forToken: DashboardAccess.hexDigest(of: viewer)) == nil)
    }

    @Test(arguments: [
        ("viewer kari", "expected ROLE NAME SHA256-HEX"),
        ("admin kari \(String(repeating: "ab", count: 32))", "unknown role admin"),
        ("viewer kari 1234", "64 hex digits"),
        ("viewer kari \(String(repeating: "zz", count: 32))", "64 hex digits"),
    ])
    func badLinesAreNamedWithTheirFix(line: String, says: String) {
        #expect {
            _ = try DashboardAccess.parse("# ok\n\(line)\n", file: "access.txt")
        } throws: { error in
            let message = "\(error)"
            return message.contains("access.txt:2") && message.contains(says)
        }
    }
}

/// `knutepunkt dashboard token`, as an operator runs it.
@Suite struct DashboardTokenCommandTests {
    @Test func aTokenIsPrintedOnceAndOnlyItsDigestIsStored() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.file("access")
        let run = try await CommandRun.knutepunkt([
            "dashboard", "token", "--name", "kari", "--role", "analyst", "--append", file,
        ])
        #expect(run.status == 0)
        let token = try #require(run.output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(token))
        #expect(
            try DashboardAccess.load(path: file).user(forToken: token) == DashboardUser(name: "kari", role: .analyst)
        )
        let refused = try await CommandRun.knutepunkt(["dashboard", "token", "--name", "x", "--role", "admin"])
        #expect(refused.status != 0 && refused.errors.contains("viewer, analyst, coordinator or lead:REGION"))
    }

    @Test("a regional lead's role names the region: lead:NO-VEST")
    func leadsHaveARegion() throws {
        let digest = String(repeating: "ab", count: 32)
        let access = try DashboardAccess.parse("lead:NO-VEST liv \(digest)\ncoordinator kari \(digest)\n", file: "a")
        #expect(
            access.entries.map(\.user) == [
                DashboardUser(name: "liv", role: .lead, region: "NO-VEST"),
                DashboardUser(name: "kari", role: .coordinator),
            ]
        )
        #expect(throws: AccessFileError.self) { try DashboardAccess.parse("lead liv \(digest)", file: "a") }
        #expect(throws: AccessFileError.self) { try DashboardAccess.parse("viewer:NO-VEST liv \(digest)", file: "a") }
    }
}
