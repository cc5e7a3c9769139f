import Foundation
import KnutepunktAccess
import Synchronization
import Testing

private enum Role: String, AccessRole {
    case writer, reader
    static let tokenCommand = "make-token"
}

/// A clock the test moves by hand.
private final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

@Suite struct SignInSessionsTests {
    @Test func aSessionEndsWhenLeftIdle() {
        let clock = TestClock()
        let sessions = SignInSessions<Role>(idleTimeout: 60, lifetime: 3600, now: { clock.now })
        let kari = AccessUser(name: "kari", role: Role.writer)
        let id = sessions.open(for: kari)
        #expect(id.count == 64)
        clock.advance(59)
        #expect(sessions.user(forSession: id) == kari, "used within the idle time: renewed")
        clock.advance(59)
        #expect(sessions.user(forSession: id) == kari)
        clock.advance(60)
        #expect(sessions.user(forSession: id) == nil, "idle for the whole idle time")
        #expect(sessions.user(forSession: id) == nil)
    }

    @Test func aSessionEndsAfterItsLifetimeHoweverBusy() {
        let clock = TestClock()
        let sessions = SignInSessions<Role>(idleTimeout: 60, lifetime: 150, now: { clock.now })
        let id = sessions.open(for: AccessUser(name: "ola", role: .reader))
        for _ in 0..<2 {
            clock.advance(50)
            #expect(sessions.user(forSession: id) != nil)
        }
        clock.advance(50)
        #expect(sessions.user(forSession: id) == nil)
    }

    @Test func signingOutEndsOnlyThatSession() {
        let sessions = SignInSessions<Role>()
        let one = sessions.open(for: AccessUser(name: "a", role: .reader))
        let two = sessions.open(for: AccessUser(name: "a", role: .reader))
        #expect(one != two)
        sessions.close(one)
        #expect(sessions.user(forSession: one) == nil)
        #expect(sessions.user(forSession: two)?.name == "a")
        #expect(sessions.user(forSession: "") == nil)
    }

    @Test func endedSessionsAreForgottenWhenOthersStart() {
        let clock = TestClock()
        let sessions = SignInSessions<Role>(idleTimeout: 10, lifetime: 100, now: { clock.now })
        for _ in 0..<5 { _ = sessions.open(for: AccessUser(name: "a", role: .reader)) }
        clock.advance(11)
        _ = sessions.open(for: AccessUser(name: "b", role: .writer))
        #expect(sessions.count == 1)
    }

    @Test func theAccessFileNamesItsOwnRolesAndCommand() {
        #expect {
            _ = try AccessFile<Role>.parse("admin x \(String(repeating: "ab", count: 32))", file: "f")
        } throws: { "\($0)".contains("use writer or reader") }
        #expect {
            _ = try AccessFile<Role>.parse("writer x", file: "f")
        } throws: { "\($0)".contains("make-token") }
        let token = AccessFile<Role>.makeToken()
        let file = try? AccessFile<Role>.parse(
            AccessFile<Role>.line(role: .writer, name: "kari", token: token),
            file: "f"
        )
        #expect(file?.user(forToken: token) == AccessUser(name: "kari", role: .writer))
    }
}
