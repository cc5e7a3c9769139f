import Foundation
import HTTPTypes
import Hummingbird
import KnutepunktHTTP
import KnutepunktProtocol
import ServiceLifecycle

/// The dashboard's HTTP routes, for any Hummingbird `Router`: the page and its assets under `/dashboard`, sign-in
/// and sign-out, and the JSON/CSV API and the live stream under `/dashboard/api` (see docs/api.md).
///
/// Everything but the sign-in page and the stylesheet needs a token: `Authorization: Bearer TOKEN`, or the cookie
/// the sign-in form sets. Health endpoints belong to the server that mounts these routes.
package struct DashboardRoutes: Sendable {
    /// The cookie the sign-in form sets (the token itself; HttpOnly, SameSite=Strict).
    package static let cookieName = "knutepunkt_dashboard"
    /// The page; the API lives under `\(prefix)/api`.
    package static let prefix = "/dashboard"

    let feed: DashboardFeed
    let access: DashboardAccess
    let secureCookie: Bool

    package init(feed: DashboardFeed) {
        self.feed = feed
        access = feed.configuration.access
        secureCookie = feed.configuration.secureCookie
    }

    /// Adds every dashboard route to `router`.
    package func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("dashboard") { request, _ in
            guard access.user(of: request) != nil else { return WebResponse.redirect(to: "\(Self.prefix)/login") }
            return WebResponse.page(DashboardAssets.page, type: "text/html; charset=utf-8")
        }
        router.get("dashboard/app.js") { request, _ in
            guard access.user(of: request) != nil else { return Self.problem(.unauthorized, "sign in first") }
            return WebResponse.page(DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        router.get("dashboard/app.css") { _, _ in
            WebResponse.page(DashboardAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get("dashboard/login") { request, _ in
            let failed = request.uri.queryParameters.get("failed") != nil
            return WebResponse.page(DashboardAssets.loginPage(failed: failed), type: "text/html; charset=utf-8")
        }
        router.post("dashboard/login") { request, context in
            var request = request
            let form = try await request.collectBody(upTo: 16 * 1024)
            let token = Self.formValue("token", in: String(buffer: form)) ?? ""
            guard access.user(forToken: token) != nil, Self.isCookieSafe(token) else {
                return WebResponse.redirect(to: "\(Self.prefix)/login?failed=1")
            }
            var response = WebResponse.redirect(to: Self.prefix)
            response.setCookie(
                Cookie(
                    name: Self.cookieName,
                    value: token,
                    path: Self.prefix,
                    secure: secureCookie,
                    httpOnly: true,
                    sameSite: .strict
                )
            )
            return response
        }
        router.post("dashboard/logout") { _, _ in
            var response = WebResponse.redirect(to: "\(Self.prefix)/login")
            response.setCookie(
                Cookie(
                    name: Self.cookieName,
                    value: "",
                    maxAge: 0,
                    path: Self.prefix,
                    secure: secureCookie,
                    httpOnly: true,
                    sameSite: .strict
                )
            )
            return response
        }
        let api = router.group("dashboard/api").add(middleware: DashboardAuthMiddleware<Context>(access: access))
        DashboardAPI(feed: feed, access: access).add(to: api)
    }

    /// A problem as JSON; a 401 names the dashboard's Bearer realm.
    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        WebResponse.problem(status, message, realm: "knutepunkt")
    }

    /// Whether a token can travel in a cookie as it is (RFC 6265 cookie-octets; generated tokens are hex).
    static func isCookieSafe(_ token: String) -> Bool {
        token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x2C && $0 != 0x3B && $0 != 0x5C }
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

extension DashboardAccess {
    /// The user a request's bearer token or sign-in cookie belongs to.
    func user(of request: Request) -> DashboardUser? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return user(forToken: parts[1].trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
        if let cookie = request.cookies[DashboardRoutes.cookieName] { return user(forToken: cookie.value) }
        return nil
    }
}

/// Refuses every request without a valid token (401, JSON).
struct DashboardAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: DashboardAccess

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard access.user(of: request) != nil else {
            return DashboardRoutes.problem(.unauthorized, "a token is needed: Authorization: Bearer TOKEN")
        }
        return try await next(request, context)
    }
}
