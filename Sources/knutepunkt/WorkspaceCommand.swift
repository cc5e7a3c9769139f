import ArgumentParser
import KnutepunktWorkspace

struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "The coordinators' workspace on a node's HTTP server (node.workspaceAccess, docs/workspace.md).",
        subcommands: [WorkspaceTokenCommand.self]
    )
}

struct WorkspaceTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a personal sign-in token for the workspace: prints the token once, and its access-file line.",
        discussion: """
            The access file keeps only the token's SHA-256. Hand the token to its user; it cannot be recovered \
            from the file. With --append the line is added to the file (created with mode 0600 if missing); the \
            node reads the file at start.
            """
    )

    @Option(name: .long, help: "Who the token is for (one word; written as the submitter of what they record).")
    var name: String

    @Option(name: .long, help: "coordinator, or lead (the regional lead: also changes others' activities).")
    var role: String = "coordinator"

    @Option(name: .long, help: "Append the access-file line to this file.")
    var append: String?

    func validate() throws {
        guard WorkspaceRole(rawValue: role) != nil else {
            throw ValidationError("--role \(role) is unknown; use coordinator or lead")
        }
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" || $0 == "#" || $0 == "\n" }) else {
            throw ValidationError("--name must be one word without # (e.g. kari.nordmann)")
        }
    }

    func run() throws {
        let token = WorkspaceAccess.makeToken()
        let role = WorkspaceRole(rawValue: role) ?? .coordinator
        try printToken(token, line: WorkspaceAccess.line(role: role, name: name, token: token), append: append)
    }
}
