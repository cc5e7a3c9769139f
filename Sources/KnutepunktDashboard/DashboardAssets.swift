/// The dashboard's page, script and stylesheet (Assets/), compiled into the module: no build step, no network, and
/// no files to install beside the binary.
enum DashboardAssets {
    static let page = String(decoding: PackageResources.dashboard_html, as: UTF8.self)
    static let script = String(decoding: PackageResources.app_js, as: UTF8.self)
    static let stylesheet = String(decoding: PackageResources.app_css, as: UTF8.self)
    static let login = String(decoding: PackageResources.login_html, as: UTF8.self)

    /// The sign-in page, saying so when the last token was refused.
    static func loginPage(failed: Bool) -> String {
        let notice =
            failed
            ? #"<p class="problem" role="alert">Ukjent nøkkel. <span lang="en">Unknown token.</span></p>"# : ""
        return login.replacingOccurrences(of: "<!--FAILED-->", with: notice)
    }
}
