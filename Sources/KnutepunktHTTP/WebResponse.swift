import Foundation
import HTTPTypes
import Hummingbird
import KnutepunktProtocol
import NIOCore

/// The responses the daemons' web pages (the national dashboard, the node's workspace) answer with: one place for
/// their headers (no caching, a strict Content-Security-Policy, no sniffing, no referrer) and for the JSON of a
/// problem.
package enum WebResponse {
    /// A page or asset: `text` as `type`, with the pages' security headers.
    package static func page(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other to `location`.
    package static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// `{"error": message}` with `status`; a 401 names the Bearer `realm`.
    package static func problem(_ status: HTTPResponse.Status, _ message: String, realm: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"\(realm)\"" }
        let body = JSONBody.encode(["error": message])
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `value` as JSON with `status`, not cached.
    package static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONBody.encode(value)))
        )
    }
}
