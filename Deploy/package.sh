#!/usr/bin/env bash
# Builds the Debian package of Knutepunkt (`make package`): knutepunkt_VERSION_ARCH.deb, for machines without Swift.
#
#   bash Deploy/package.sh                         build the release binary, then the package
#   bash Deploy/package.sh --scratch-path DIR      build in DIR instead of .build (swift build --scratch-path)
#   bash Deploy/package.sh --binary FILE           package FILE instead of building (it must be a static-stdlib build)
#   bash Deploy/package.sh --out DIR               write the package into DIR (default: SCRATCH/package)
#
# The binary is `swift build -c release --static-swift-stdlib --product knutepunkt`: the Swift runtime and Foundation
# are linked in, and the script refuses a binary that still needs a libswift*/Foundation/dispatch/ICU shared library
# (ldd). What it does need (libzmq5, libsqlite3-0, libc6, libstdc++6, …) becomes `Depends:`, worked out by
# dpkg-shlibdeps from the libraries' shlibs/symbols files, so the minimum versions are Debian's own.
#
# Contents (Deploy/debian/ holds the control template, the conffiles list and the maintainer scripts):
#   /usr/bin/knutepunkt                                 the binary, stripped
#   /lib/systemd/system/knutepunkt-{hub,node}.service   Deploy/systemd/ as it is
#   /etc/knutepunkt/{hub,node,taxonomy,gaps}.yaml       Configs/production/ and Configs/ (conffiles)
#   /usr/share/knutepunkt/install.sh                    Deploy/install.sh (enables a unit once all is in place)
#   /usr/share/knutepunkt/nftables/                     Deploy/nftables/ (firewall rulesets to edit and load)
#   /usr/share/doc/knutepunkt/                          README.md, operations.md, configuration.md, examples/
#
# Version: what `knutepunkt --version` says (KnutepunktVersion), exactly that when the commit is tagged v<version>,
# else <version>+git<commits>.g<sha> (rising with every commit on main), with .dirty when tracked files differ from
# the commit. PACKAGE_VERSION overrides it. PACKAGE_COMPRESSION (xz) is dpkg-deb's -Z.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
scratch=.build
binary=
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --scratch-path) scratch=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--scratch-path DIR] [--binary FILE] [--out DIR]" >&2; exit 64 ;;
  esac
done
out=${out:-$scratch/package}
started=$SECONDS

for tool in dpkg-deb dpkg-shlibdeps ldd strip; do
  command -v "$tool" >/dev/null || { echo "package: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 69; }
done

# ---- the binary ----
if [ -z "$binary" ]; then
  # The commit goes into the binary (`knutepunkt --version`): Deploy/build-commit.sh writes it and names the flags.
  read -r -a commit_flags <<<"$(bash Deploy/build-commit.sh)"
  build=("$SWIFT" build -c release --static-swift-stdlib --product knutepunkt --scratch-path "$scratch" "${commit_flags[@]}")
  echo "package: ${build[*]}"
  "${build[@]}"
  binary="$scratch/release/knutepunkt"
fi
[ -x "$binary" ] || { echo "package: $binary is not an executable" >&2; exit 66; }

# Nothing of Swift may be loaded at run time: the target machines have no toolchain.
libraries=$(ldd "$binary")
if echo "$libraries" | grep -E 'not found|libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu|libXCTest'; then
  echo "package: $binary needs the libraries above at run time; build it with --static-swift-stdlib" >&2
  exit 65
fi

# `knutepunkt --version` says "0.1.0 (commit 1a2b3c4d5e6f)": the release is its first word.
version=$("$binary" --version | cut -d' ' -f1)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.~+][0-9A-Za-z.~+-]*)?$ ]] || {
  echo "package: \`$binary --version\` said '$version', not a version" >&2
  exit 65
}
if [ -n "${PACKAGE_VERSION:-}" ]; then
  package_version=$PACKAGE_VERSION
elif git rev-parse --git-dir >/dev/null 2>&1; then
  if [ "$(git tag --points-at HEAD | grep -Fx "v$version")" = "v$version" ]; then
    package_version=$version
  else
    package_version="$version+git$(git rev-list --count HEAD).g$(git rev-parse --short=7 HEAD)"
  fi
  git diff --quiet HEAD -- 2>/dev/null || package_version="$package_version.dirty"
else
  package_version=$version
fi
arch=$(dpkg --print-architecture)

# ---- the tree ----
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/knutepunkt"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/knutepunkt" \
  "$root/usr/share/knutepunkt/nftables" "$root/usr/share/doc/knutepunkt/examples"
install -m 0755 "$binary" "$root/usr/bin/knutepunkt"
strip --strip-unneeded "$root/usr/bin/knutepunkt"
install -m 0644 Deploy/systemd/knutepunkt-hub.service Deploy/systemd/knutepunkt-node.service "$root/lib/systemd/system/"
install -m 0644 Configs/production/hub.yaml Configs/production/node.yaml "$root/etc/knutepunkt/"
install -m 0644 "$(readlink -f Configs/production/taxonomy.yaml)" "$root/etc/knutepunkt/taxonomy.yaml"
install -m 0644 Configs/gaps.yaml "$root/etc/knutepunkt/gaps.yaml"
install -m 0755 Deploy/install.sh "$root/usr/share/knutepunkt/install.sh"
install -m 0644 Deploy/nftables/knutepunkt-hub.nft Deploy/nftables/knutepunkt-node.nft "$root/usr/share/knutepunkt/nftables/"
install -m 0644 README.md "$root/usr/share/doc/knutepunkt/README.md"
install -m 0644 Deploy/README.md "$root/usr/share/doc/knutepunkt/operations.md"
install -m 0644 Configs/README.md "$root/usr/share/doc/knutepunkt/configuration.md"
install -m 0644 Configs/examples/event.json Configs/examples/activities.csv "$root/usr/share/doc/knutepunkt/examples/"
install -m 0644 Deploy/debian/conffiles "$root/DEBIAN/conffiles"
install -m 0755 Deploy/debian/postinst Deploy/debian/prerm Deploy/debian/postrm "$root/DEBIAN/"

# Every conffile must be in the tree, and every file under /etc must be a conffile.
diff <(sort Deploy/debian/conffiles) <(cd "$root" && find etc -type f | sed 's#^#/#' | sort) >/dev/null || {
  echo "package: Deploy/debian/conffiles does not list exactly the files under /etc" >&2
  exit 65
}

# ---- Depends: the shared libraries (dpkg-shlibdeps), plus what the scripts and the clock need ----
mkdir -p "$work/shlibs/debian"
printf 'Source: knutepunkt\n\nPackage: knutepunkt\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/knutepunkt" 2>"$work/shlibdeps.log") || {
  cat "$work/shlibdeps.log" >&2
  exit 65
}
shlibs=${shlibs#shlibs:Depends=}
# passwd: useradd/groupadd in postinst. procps: /bin/kill, which the units' ExecReload= runs (not in a minimal
# Debian: without it `systemctl reload` fails). tzdata: the daemons' calendar is Europe/Oslo (LocalDate.today).
depends="$shlibs, passwd, procps, tzdata"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$package_version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$installed_size/" Deploy/debian/control >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"

# Reproducible: every file dated at the commit.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
find "$root" -exec touch -h -d "@$epoch" {} +

mkdir -p "$out"
deb="$out/knutepunkt_${package_version}_${arch}.deb"
# xz: the smallest (22 MB against 33 MB), 25 to 60 s on 2 cores; PACKAGE_COMPRESSION=zstd takes a second.
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group "-Z${PACKAGE_COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null

echo "package: $deb ($(du -h "$deb" | cut -f1), installed $((installed_size / 1024)) MiB, $((SECONDS - started)) s)"
echo "package: Depends: $depends"
echo "$libraries" | sed 's/^/package: ldd /'
