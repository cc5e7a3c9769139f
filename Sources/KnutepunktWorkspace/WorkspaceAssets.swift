/// The workspace's page, script and stylesheet (Assets/), compiled into the module: the node's binary serves them
/// with no files beside it and nothing fetched from the network.
enum WorkspaceAssets {
    static let page = String(decoding: PackageResources.workspace_html, as: UTF8.self)
    static let script = String(decoding: PackageResources.app_js, as: UTF8.self)
    static let stylesheet = String(decoding: PackageResources.app_css, as: UTF8.self)
    static let login = String(decoding: PackageResources.login_html, as: UTF8.self)

    /// The sign-in page, saying why when the last token was refused or the session ended.
    static func loginPage(failed: Bool, ended: Bool) -> String {
        var notice = ""
        if failed {
            notice = #"<p class="problem" role="alert">Ukjent nøkkel. <span lang="en">Unknown token.</span></p>"#
        } else if ended {
            notice =
                #"<p class="problem" role="alert">Økten er avsluttet; logg inn igjen. "#
                + #"<span lang="en">Your session ended; sign in again.</span></p>"#
        }
        return login.replacingOccurrences(of: "<!--NOTICE-->", with: notice)
    }
}
