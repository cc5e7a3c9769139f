#!/usr/bin/env bash
# Installs or upgrades Knutepunkt on Debian 12 as the national hub or a regional node, from the Debian package.
#
#   sudo Deploy/install.sh hub|node knutepunkt_VERSION_ARCH.deb   install that package (no Swift needed)
#   sudo Deploy/install.sh hub|node                                in a checkout: build the package first (Swift)
#   sudo /usr/share/knutepunkt/install.sh hub|node                 the package is installed: only steps 2 and 3
#
# 1. The package, with apt-get (its Depends: come from Debian), unless exactly that package is installed already.
#    Leftovers of the source install this script used to do (/usr/local/bin/knutepunkt, unit copies in
#    /etc/systemd/system that would hide the package's units) are moved out of the way.
# 2. The gate. knutepunkt-ROLE.service is enabled and started only when /etc/knutepunkt/ROLE.yaml has been filled in
#    (a node's `hub` no longer names the example address), and `knutepunkt config check --ready` passes on it as the
#    service user reads it: every key file present, each secret key readable by `knutepunkt` and by nobody else.
#    Until then nothing is enabled or started, and the script prints what to do next, command by command.
# 3. Running it again changes nothing: the same package is not reinstalled, an enabled unit is not enabled again, a
#    running daemon is not restarted (an upgrade restarts it, from the package's postinst, if the check passes).
# The last lines it prints are always the next step.
set -euo pipefail

role="${1:-}"
deb="${2:-}"
case "$role" in
  hub|node) ;;
  *) echo "usage: $0 hub|node [knutepunkt_VERSION_ARCH.deb]" >&2; exit 64 ;;
esac
[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0 $*)" >&2; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)

ETC=/etc/knutepunkt
BIN=/usr/bin/knutepunkt
unit="knutepunkt-$role.service"
config="$ETC/$role.yaml"
changes=0
say() { echo "install: $*"; }
changed() { changes=$((changes + 1)); say "$*"; }
systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@"; }

# ---- 1. the package ----
if [ -z "$deb" ] && [ -f "$here/package.sh" ] && [ -f "$here/../Package.swift" ]; then
  say "no package given: building one from this checkout (Deploy/package.sh)"
  needed=()
  pkg-config --exists libzmq 2>/dev/null || needed+=(libzmq3-dev pkg-config)
  command -v dpkg-shlibdeps >/dev/null || needed+=(dpkg-dev)
  command -v strip >/dev/null || needed+=(binutils)
  if [ ${#needed[@]} -gt 0 ]; then apt_get update && apt_get install "${needed[@]}"; fi
  built=$(bash "$here/package.sh" | tee /dev/stderr)
  deb=$(echo "$built" | sed -n 's/^package: \(.*\.deb\) (.*/\1/p')
  [ -n "$deb" ] || { say "Deploy/package.sh made no package" >&2; exit 70; }
fi

if [ -n "$deb" ]; then
  [ -f "$deb" ] || { echo "$deb: no such file" >&2; exit 66; }
  deb=$(readlink -f "$deb")
  wanted=$(dpkg-deb -f "$deb" Version)
  installed=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' knutepunkt 2>/dev/null || true)
  if [ "$installed" = "ii $wanted" ] &&
    cmp -s <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums) /var/lib/dpkg/info/knutepunkt.md5sums; then
    say "knutepunkt $wanted is installed already (same files): not reinstalled"
  else
    # The old source install: its unit copies in /etc/systemd/system would hide the package's units, and
    # /usr/local/bin comes before /usr/bin in PATH.
    for old in /etc/systemd/system/knutepunkt-hub.service /etc/systemd/system/knutepunkt-node.service; do
      if [ -f "$old" ] && [ ! -L "$old" ] && grep -q /usr/local/bin/knutepunkt "$old"; then
        mv "$old" "$old.source-install"
        changed "moved the source install's $old to $old.source-install (the package's unit takes over)"
      fi
    done
    if [ -e /usr/local/bin/knutepunkt ] && ! dpkg -S /usr/local/bin/knutepunkt >/dev/null 2>&1; then
      mv /usr/local/bin/knutepunkt /usr/local/bin/knutepunkt.source-install
      changed "moved the source install's /usr/local/bin/knutepunkt aside (the package's is /usr/bin/knutepunkt)"
    fi
    # --force-confold: a configuration file edited here is kept; the package's new version lands beside it
    # as FILE.dpkg-dist. Apt fetches the Depends: (libzmq5, …); its package lists are refreshed only if needed.
    options=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --allow-downgrades)
    if ! apt_get "${options[@]}" install "$deb"; then
      say "refreshing the package lists and trying again"
      apt_get update
      apt_get "${options[@]}" install "$deb"
    fi
    changed "installed knutepunkt $wanted (was: ${installed:-not installed})"
  fi
elif ! dpkg-query -W -f='${db:Status-Abbrev}' knutepunkt 2>/dev/null | grep -q '^ii'; then
  echo "knutepunkt is not installed: give the package, sudo $0 $role knutepunkt_VERSION_ARCH.deb" >&2
  exit 66
fi
if systemd_running; then
  for link in /etc/systemd/system/multi-user.target.wants/knutepunkt-*.service; do
    if [ -L "$link" ] && [ ! -e "$link" ]; then
      rm -f "$link"
      changed "removed $link (it pointed at the source install's unit)"
    fi
  done
  [ "$changes" = 0 ] || systemctl daemon-reload
fi
version=$("$BIN" --version)

# ---- 2. the gate: configuration filled in, keys in place, `config check` passes as the daemon reads it ----
steps=()
step() { steps+=("$*"); }
secret_key_name() {
  # The secret key the file names (`secretKey: keys/NAME.key`), for the hints; NAME if it cannot tell.
  local path
  path=$(sed -n 's/^[[:space:]]*secretKey:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$config" | head -1)
  basename "${path:-NAME.key}" .key
}

ready=no
check_output=
if [ ! -f "$config" ]; then
  step "restore the default configuration: apt-get install --reinstall -o Dpkg::Options::=--force-confmiss knutepunkt"
  step "then run this again: sudo $0 $role"
elif [ "$role" = node ] && grep -Eq '^[^#]*\.example([:/[:space:]]|$)' "$config"; then
  # The shipped node.yaml is RKBU Vest's, pointing at hub.knutepunkt.example: never a real hub.
  step "edit $config: \`id\` and \`region\` as the hub's operators granted them, \`hub: tcp://HUB-ADDRESS:7300\`," \
    "\`defaultNode\`, and \`curve.secretKey: keys/ID.key\` (every key: /usr/share/doc/knutepunkt/configuration.md)"
  step "knutepunkt keys generate --out $ETC/keys --name ID && chown knutepunkt:knutepunkt $ETC/keys/ID.key" \
    "   (ID: the node id; the secret key never leaves this machine)"
  step "copy the hub's public key, hub.pub from the hub's operators, to $ETC/keys/hub.pub; send them $ETC/keys/ID.pub"
  step "then run this again: sudo $0 $role"
elif check_output=$(runuser -u knutepunkt -- "$BIN" config check --ready "$config" 2>&1); then
  ready=yes
else
  # Turn each key problem into the command that fixes it, this daemon's own keys first; anything else is shown as
  # `config check` says it.
  own=()
  received=()
  others=()
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    case "$line" in
      ok\ *|ERROR\ *|*" passed, "*" failed"|using\ *|warning:*|"") continue ;;
    esac
    if [[ "$line" == *" is beside it: is the name misspelt?"* ]]; then
      others+=("$line")   # a key file named one slip away from one that is there: a mistake in the file
    elif [[ "$line" =~ the\ secret\ key\ file\ ([^[:space:]]+)\ does\ not\ exist ]]; then
      key=${BASH_REMATCH[1]}
      own+=("knutepunkt keys generate --out $(dirname "$key") --name $(basename "$key" .key) && chown knutepunkt:knutepunkt $key   (this daemon's own key pair; the secret key never leaves this machine)")
    elif [[ "$line" =~ the\ secret\ key\ file\ ([^[:space:]]+)\ (cannot\ be\ read|may\ be\ read\ by\ others) ]]; then
      key=${BASH_REMATCH[1]}
      own+=("chown knutepunkt:knutepunkt $key && chmod 0600 $key   (the daemon reads it as user knutepunkt)")
    elif [[ "$line" =~ the\ public\ key\ file\ ([^[:space:]]+)\ does\ not\ exist ]]; then
      key=${BASH_REMATCH[1]}
      if [ "$role" = node ]; then
        received+=("copy the hub's public key, $(basename "$key") from the hub's operators, to $key")
      else
        where=$(sed 's/^[^:]*: \([^:]*\): .*/\1/' <<<"$line")
        received+=("put $(basename "$key") from that node's (or viewer's) operators at $key, or remove it from $where in $config")
      fi
    else
      others+=("$line")
    fi
  done <<<"$check_output"
  for line in ${own[@]+"${own[@]}"} ${received[@]+"${received[@]}"}; do step "$line"; done
  for problem in ${others[@]+"${others[@]}"}; do step "fix: $problem"; done
  step "then run this again: sudo $0 $role"
fi

# ---- 3. enable and start, only now ----
if [ "$ready" = yes ]; then
  say "$config passes \`knutepunkt config check\` as user knutepunkt"
  if ! systemd_running; then
    say "systemd is not running here (a container or chroot): nothing to enable"
    next=("run the daemon as user knutepunkt: runuser -u knutepunkt -- knutepunkt $role --config $config")
  else
    if ! systemctl is-enabled --quiet "$unit"; then
      systemctl enable --quiet "$unit"
      changed "enabled $unit"
    fi
    started=no
    if ! systemctl is-active --quiet "$unit"; then
      systemctl start "$unit"
      changed "started $unit"
      started=yes
    else
      pid=$(systemctl show -p MainPID --value "$unit")
      exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
      if [ -n "$exe" ] && [ "$exe" != "$BIN" ]; then
        systemctl restart "$unit"
        changed "restarted $unit (it was running $exe, not $BIN)"
        started=yes
      else
        say "$unit is running knutepunkt $version: left as it is"
      fi
    fi
    [ "$started" = no ] || sleep 2
    if ! systemctl is-active --quiet "$unit"; then
      say "$unit stopped after starting; its log: journalctl -u $unit -n 50" >&2
      exit 1
    fi
    if [ "$role" = hub ]; then
      next=("knutepunkt status --config $config   (nodes connected, events per region)"
        "give $ETC/keys/$(secret_key_name).pub to every node's operators; grant each node in $config, then systemctl reload $unit"
        "firewall: edit and load /usr/share/knutepunkt/nftables/knutepunkt-$role.nft (operations.md, \"Firewall (nftables)\")")
    else
      next=("knutepunkt status --config $config   (the hub link should say ready)"
        "send $ETC/keys/$(secret_key_name).pub to the hub's operators if they do not have it yet"
        "firewall: edit and load /usr/share/knutepunkt/nftables/knutepunkt-$role.nft (operations.md, \"Firewall (nftables)\")")
    fi
  fi
else
  if systemd_running && systemctl is-active --quiet "$unit"; then
    say "$unit is running on its earlier configuration and is left so; \`systemctl reload\` would refuse this one"
  fi
  say "knutepunkt $version is installed; $unit is NOT enabled or started yet: $config or its keys are not ready"
  [ -z "$check_output" ] || echo "$check_output" | sed 's/^/install:   /'
  next=("${steps[@]}")
fi

if [ "$changes" = 0 ]; then say "nothing changed"; else say "$changes change(s)"; fi
echo "next:"
n=1
for line in "${next[@]}"; do
  echo "  $n. $line"
  n=$((n + 1))
done
