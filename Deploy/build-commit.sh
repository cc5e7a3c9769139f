#!/bin/bash
# Writes the commit a release binary is built from into Sources/KnutepunktService/BuildCommit+Generated.swift, which
# `swift build -Xswiftc -DKNUTEPUNKT_BUILD_COMMIT` compiles in (Sources/KnutepunktService/BuildCommit.swift is the
# fallback of every other build). `make release` and Deploy/package.sh run it; the file is not in the repository.
#
# The commit: KNUTEPUNKT_COMMIT if set (a build from a tarball), else `git rev-parse --short=12 HEAD`, with -dirty when
# tracked files differ from it; "unknown" outside a git checkout. Prints the flags to add to `swift build`.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${KNUTEPUNKT_COMMIT:-}
if [ -z "$commit" ] && git rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git rev-parse --short=12 HEAD)
  git diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
fi
commit=${commit:-unknown}
[[ "$commit" =~ ^[0-9A-Za-z._-]+$ ]] || { echo "build-commit: '$commit' is not a commit name" >&2; exit 65; }
file=Sources/KnutepunktService/BuildCommit+Generated.swift
text="#if KNUTEPUNKT_BUILD_COMMIT
// Written by Deploy/build-commit.sh for a release build; not in the repository.
extension BuildInfo {
    package static let commit: String? = \"$commit\"
}
#endif"
# Rewritten only when it changes, so that a build that has it already does not compile it again.
if [ "$(cat "$file" 2>/dev/null)" != "$text" ]; then printf '%s\n' "$text" >"$file"; fi
echo "-Xswiftc -DKNUTEPUNKT_BUILD_COMMIT"
