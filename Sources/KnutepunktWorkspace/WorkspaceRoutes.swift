import Foundation
import HTTPTypes
import Hummingbird
import KnutepunktAccess
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktProtocol
import Logging

/// The coordinator's workspace on the node's HTTP server: the page and its assets under `/workspace`, sign-in and
/// sign-out, and the JSON API the page uses under `/workspace/api` (docs/workspace.md).
///
/// Signing in with a personal token (kept hashed in the access file) opens a session; the browser holds only the
/// session's random id, in an HttpOnly, SameSite=Strict cookie, and the session ends after ``WorkspaceConfiguration/
/// idleTimeout`` unused or ``WorkspaceConfiguration/sessionLifetime`` after sign-in. Scripts may send the token
/// itself (`Authorization: Bearer TOKEN`). Everything recorded goes to the node in the user's name
/// (`submitted_by`), and every action is logged with who did it.
package struct WorkspaceRoutes: Sendable {
    /// The cookie holding the session id.
    package static let cookieName = "knutepunkt_workspace"
    /// The page; the API lives under `\(prefix)/api`.
    package static let prefix = "/workspace"

    let configuration: WorkspaceConfiguration
    let sessions: SignInSessions<WorkspaceRole>
    let node: WorkspaceNodeLink
    let validator: EventValidator
    let logger: Logger

    package init(configuration: WorkspaceConfiguration, logger: Logger) {
        self.configuration = configuration
        sessions = SignInSessions(
            idleTimeout: configuration.idleTimeout,
            lifetime: configuration.sessionLifetime,
            now: configuration.now
        )
        node = WorkspaceNodeLink(endpoint: configuration.controlEndpoint, timeout: configuration.controlTimeout)
        validator = EventValidator(taxonomy: configuration.taxonomy)
        var logger = logger
        logger[metadataKey: "component"] = "workspace"
        self.logger = logger
    }

    /// Adds every workspace route to `router`.
    package func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("workspace") { request, _ in
            guard user(of: request) != nil else { return WebResponse.redirect(to: "\(Self.prefix)/login") }
            return WebResponse.page(WorkspaceAssets.page, type: "text/html; charset=utf-8")
        }
        router.get("workspace/app.js") { request, _ in
            guard user(of: request) != nil else { return Self.problem(.unauthorized, "sign in first") }
            return WebResponse.page(WorkspaceAssets.script, type: "text/javascript; charset=utf-8")
        }
        router.get("workspace/app.css") { _, _ in
            WebResponse.page(WorkspaceAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get("workspace/login") { request, _ in
            let failed = request.uri.queryParameters.get("failed") != nil
            let ended = request.uri.queryParameters.get("ended") != nil
            return WebResponse.page(
                WorkspaceAssets.loginPage(failed: failed, ended: ended),
                type: "text/html; charset=utf-8"
            )
        }
        router.post("workspace/login") { request, _ in
            var request = request
            let form = try await request.collectBody(upTo: 16 * 1024)
            let token = Self.formValue("token", in: String(buffer: form)) ?? ""
            guard let user = configuration.access.user(forToken: token) else {
                logger.notice("workspace sign-in refused: unknown token")
                return WebResponse.redirect(to: "\(Self.prefix)/login?failed=1")
            }
            let session = sessions.open(for: user)
            logger.notice("signed in", metadata: ["user": "\(user.name)", "role": "\(user.role.rawValue)"])
            var response = WebResponse.redirect(to: Self.prefix)
            response.setCookie(sessionCookie(session))
            return response
        }
        router.post("workspace/logout") { request, _ in
            if let id = request.cookies[Self.cookieName]?.value {
                if let user = sessions.user(forSession: id) {
                    logger.notice("signed out", metadata: ["user": "\(user.name)", "role": "\(user.role.rawValue)"])
                }
                sessions.close(id)
            }
            var response = WebResponse.redirect(to: "\(Self.prefix)/login")
            response.setCookie(sessionCookie("", maxAge: 0))
            return response
        }
        let api = router.group("workspace/api").add(middleware: WorkspaceAuthMiddleware<Context>(routes: self))
        WorkspaceAPI(routes: self).add(to: api)
    }

    /// The user a request's bearer token or session cookie belongs to; nil when neither is valid (or the session
    /// ended).
    func user(of request: Request) -> WorkspaceUser? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return configuration.access.user(forToken: parts[1].trimmingCharacters(in: .whitespaces))
        }
        if let cookie = request.cookies[Self.cookieName] { return sessions.user(forSession: cookie.value) }
        return nil
    }

    private func sessionCookie(_ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(
            name: Self.cookieName,
            value: value,
            maxAge: maxAge,
            path: Self.prefix,
            secure: configuration.secureCookie,
            httpOnly: true,
            sameSite: .strict
        )
    }

    /// A problem as JSON; a 401 names the workspace's Bearer realm.
    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        WebResponse.problem(status, message, realm: "knutepunkt-workspace")
    }

    /// One field of an `application/x-www-form-urlencoded` body.
    static func formValue(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name[...] else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}

/// Refuses every API request without a valid token or live session (401, JSON), and every state-changing request
/// that is not JSON (a cross-site form cannot send `application/json` without the browser asking first).
struct WorkspaceAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The media type of an Excel workbook (`.xlsx`), uploaded as it is.
    static var xlsxType: String { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }

    let routes: WorkspaceRoutes

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard routes.user(of: request) != nil else {
            return WorkspaceRoutes.problem(
                .unauthorized,
                "sign in first (the session may have ended), or send Authorization: Bearer TOKEN"
            )
        }
        if request.method == .post || request.method == .put || request.method == .delete {
            // None of these is a type a plain HTML form can send, so another site cannot post here in a user's name.
            let type = request.headers[.contentType] ?? ""
            guard type.hasPrefix("application/json") || type.hasPrefix("text/csv") || type.hasPrefix(Self.xlsxType)
            else {
                return WorkspaceRoutes.problem(
                    .unsupportedMediaType,
                    "send application/json (or text/csv, or \(Self.xlsxType) for an Excel workbook)"
                )
            }
        }
        return try await next(request, context)
    }
}
