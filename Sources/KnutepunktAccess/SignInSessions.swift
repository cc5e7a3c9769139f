import Foundation
import Synchronization

/// Signed-in sessions of a web application: a random session id (what the browser's cookie holds, never the token)
/// mapped to the user and when the session ends.
///
/// A session ends ``idleTimeout`` after its last use or ``lifetime`` after sign-in, whichever comes first, or when
/// the user signs out. Sessions live in memory: a restart signs everyone out, which is the safe direction. The
/// clock is injected so tests can move past an expiry without waiting.
package final class SignInSessions<Role: AccessRole>: Sendable {
    package struct Session: Sendable, Hashable {
        package var user: AccessUser<Role>
        package var started: Date
        package var lastUsed: Date
    }

    package let idleTimeout: TimeInterval
    package let lifetime: TimeInterval
    private let now: @Sendable () -> Date
    private let sessions = Mutex<[String: Session]>([:])

    package init(
        idleTimeout: TimeInterval = 30 * 60,
        lifetime: TimeInterval = 10 * 3600,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.now = now
    }

    /// Starts a session for `user` and returns its id (64 hex digits, safe in a cookie).
    package func open(for user: AccessUser<Role>) -> String {
        let id = AccessFile<Role>.randomHex(bytes: 32)
        let time = now()
        sessions.withLock { sessions in
            // Forget ended sessions whenever one starts, so the table never grows with abandoned ones.
            sessions = sessions.filter { !Self.ended($0.value, at: time, idle: idleTimeout, lifetime: lifetime) }
            sessions[id] = Session(user: user, started: time, lastUsed: time)
        }
        return id
    }

    /// The user of a live session, renewing its idle time; nil for an unknown or ended session.
    package func user(forSession id: String) -> AccessUser<Role>? {
        let time = now()
        return sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            if Self.ended(session, at: time, idle: idleTimeout, lifetime: lifetime) {
                sessions[id] = nil
                return nil
            }
            sessions[id]?.lastUsed = time
            return session.user
        }
    }

    /// Ends a session (sign-out).
    package func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// How many sessions are held (ended ones included until they are next looked at).
    package var count: Int { sessions.withLock { $0.count } }

    private static func ended(_ session: Session, at time: Date, idle: TimeInterval, lifetime: TimeInterval) -> Bool {
        time.timeIntervalSince(session.lastUsed) >= idle || time.timeIntervalSince(session.started) >= lifetime
    }
}
