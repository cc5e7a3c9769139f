#!/usr/bin/env bash
# Static checks of everything under Deploy/ (`make deploy-check`, part of `make test`):
#
#   1. systemd   systemd-analyze verify on both units, which must print nothing (verify exits 0 on an unknown or
#                misspelt directive, so any output fails the check), and systemd-analyze security --offline with
#                a ceiling on the exposure score. The units' binary, /usr/bin/knutepunkt (where the Debian package
#                puts it), may not be installed here: the units are checked as copies in which only that path points
#                at a stub executable.
#   2. Containerfile, compose.yaml, Kubernetes manifests: Deploy/check.py (dockerfile-parse, the Compose
#                Specification schema via check-jsonschema, the Kubernetes schemas via kubernetes-validate, and the
#                cross-references between them).
#   3. The daemon configurations as the image and the ConfigMap hold them: `knutepunkt config check
#                --separate-hosts` (each daemon in its own container), with .build/debug/knutepunkt if it is built
#                (make test builds it first), or the binary KNUTEPUNKT names (e.g. a release build).
#   4. Prometheus: `promtool check rules` on Deploy/prometheus/alerts.yml, `promtool test rules` on its unit tests
#                (each alert fires on series that show its problem, and not on healthy ones), and `promtool check
#                config` on Deploy/container/prometheus.yml with the rules beside it, as compose mounts them.
#   5. Packaging and firewall: shellcheck on the shell scripts (the maintainer scripts as POSIX sh, as dpkg runs
#                them with dash); the nftables rulesets load (nft -f, twice, in a throwaway network namespace when
#                this runs as root) and guard every port Configs/production/*.yaml binds off loopback.
#
# Installs what it lacks: systemd (for systemd-analyze), prometheus (for promtool; its daemon is not started here),
# the ShellCheck linter and nftables (nft; no ruleset is loaded on this machine) from Debian, the Python tools from
# PyPI into .build-tools/deploy-venv (pinned in Deploy/requirements-check.txt; reinstalled when that file changes).
#
#   bash Deploy/check.sh                     run every check
#   bash Deploy/check.sh --write-configmap   regenerate Deploy/kubernetes/configmap.yaml from its sources
set -euo pipefail
cd "$(dirname "$0")/.."

# The highest exposure score (systemd-analyze security, 0.0–10.0) the units may reach; both measure 1.2.
MAX_EXPOSURE=1.2
VENV=.build-tools/deploy-venv
REQUIREMENTS=Deploy/requirements-check.txt
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
failed=0
started=$SECONDS

apt_install() {
  echo "installing $* (Debian)"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---- tools ----
command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd
command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || apt_install nftables
# promtool ships in Debian's prometheus package. Installing it may start a Prometheus server where systemd runs; with
# policy-rc.d answering 101 nothing is started.
if ! command -v promtool >/dev/null 2>&1; then
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    apt_install --no-install-recommends prometheus
    $SUDO rm -f "$policy"
  else
    apt_install --no-install-recommends prometheus
  fi
fi
stamp="$VENV/.requirements.sha256"
wanted=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "installing the check tools into $VENV (PyPI: $REQUIREMENTS)"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    apt_install python3-venv
    /usr/bin/python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
  echo "$wanted" >"$stamp"
fi

if [ "${1:-}" = "--write-configmap" ]; then
  exec "$VENV/bin/python" Deploy/check.py --write-configmap
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- 1. systemd units ----
# Copies of the units with the binary path pointing at a stub: verify checks that ExecStart= is executable.
printf '#!/bin/sh\nexit 0\n' >"$work/knutepunkt"
chmod +x "$work/knutepunkt"
units=()
for unit in Deploy/systemd/knutepunkt-hub.service Deploy/systemd/knutepunkt-node.service; do
  copy="$work/$(basename "$unit")"
  sed "s#/usr/bin/knutepunkt#$work/knutepunkt#g" "$unit" >"$copy"
  if cmp -s "$unit" "$copy"; then
    echo "FAIL  $unit: does not start /usr/bin/knutepunkt"
    failed=1
  fi
  units+=("$copy")
done
if output=$(systemd-analyze verify --man=no "${units[@]}" 2>&1) && [ -z "$output" ]; then
  echo "ok    systemd-analyze verify: knutepunkt-hub.service, knutepunkt-node.service"
else
  echo "FAIL  systemd-analyze verify (any output is a problem):"
  echo "$output" | sed "s#$work/#Deploy/systemd/#g; s#^#      #"
  failed=1
fi
for copy in "${units[@]}"; do
  name=$(basename "$copy")
  score=$(systemd-analyze security --offline=yes "$copy" 2>&1 |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
    echo "ok    systemd-analyze security: $name exposure $score (at most $MAX_EXPOSURE)"
  else
    echo "FAIL  systemd-analyze security: $name exposure ${score:-unknown}, above $MAX_EXPOSURE:"
    systemd-analyze security --offline=yes "$copy" 2>&1 | grep '✗' | sed 's/^/      /'
    failed=1
  fi
done

# ---- 2. Containerfile, compose.yaml, Kubernetes ----
"$VENV/bin/python" Deploy/check.py || failed=1

# ---- 3. the daemon configurations, as the image and the ConfigMap lay them out in /etc/knutepunkt ----
knutepunkt=${KNUTEPUNKT:-.build/debug/knutepunkt}
if [ -x "$knutepunkt" ]; then
  "$VENV/bin/python" Deploy/check.py --stage "$work/etc"
  for layout in image configmap; do
    # Throwaway CURVE keys where the configurations expect the mounted ones (the image holds none).
    "$knutepunkt" keys ensure "$work/etc/$layout" >/dev/null
    if output=$("$knutepunkt" config check --ready --separate-hosts "$work/etc/$layout" 2>&1); then
      count=$(find "$work/etc/$layout" -type f | wc -l)
      echo "ok    knutepunkt config check: /etc/knutepunkt as the $layout has it ($count files)"
    else
      echo "FAIL  knutepunkt config check: /etc/knutepunkt as the $layout has it:"
      echo "$output" | sed "s#$work/etc/$layout#/etc/knutepunkt#g; s#^#      #"
      failed=1
    fi
  done
else
  echo "skip  knutepunkt config check: $knutepunkt is not built (make build; make test builds it; or KNUTEPUNKT=FILE)"
fi

# ---- 4. Prometheus: the alert rules, their unit tests, and the compose Prometheus configuration ----
if output=$(promtool check rules Deploy/prometheus/alerts.yml 2>&1); then
  echo "ok    promtool check rules: Deploy/prometheus/alerts.yml ($(echo "$output" | sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p') rules)"
else
  echo "FAIL  promtool check rules: Deploy/prometheus/alerts.yml:"
  echo "$output" | sed 's/^/      /'
  failed=1
fi
if output=$(cd Deploy/prometheus && promtool test rules alerts.test.yml 2>&1); then
  echo "ok    promtool test rules: Deploy/prometheus/alerts.test.yml ($(grep -c 'alertname:' Deploy/prometheus/alerts.test.yml) alert checks)"
else
  echo "FAIL  promtool test rules: Deploy/prometheus/alerts.test.yml:"
  echo "$output" | grep -v '^$' | sed 's/^/      /'
  failed=1
fi
mkdir -p "$work/prometheus"
cp Deploy/container/prometheus.yml Deploy/prometheus/alerts.yml "$work/prometheus/"
if output=$(promtool check config "$work/prometheus/prometheus.yml" 2>&1); then
  echo "ok    promtool check config: Deploy/container/prometheus.yml with alerts.yml beside it"
else
  echo "FAIL  promtool check config: Deploy/container/prometheus.yml:"
  echo "$output" | sed "s#$work/prometheus/#Deploy/container/#g; s/^/      /"
  failed=1
fi

# ---- 5. packaging scripts and the firewall rulesets ----
scripts=(Deploy/check.sh Deploy/install.sh Deploy/package.sh Deploy/package-test.sh Deploy/build-commit.sh)
maintainer=(Deploy/debian/postinst Deploy/debian/prerm Deploy/debian/postrm)
if output=$(shellcheck -S warning "${scripts[@]}" 2>&1 && shellcheck -S warning -s sh "${maintainer[@]}" 2>&1); then
  echo "ok    shellcheck: ${#scripts[@]} bash scripts, ${#maintainer[@]} maintainer scripts (POSIX sh)"
else
  echo "FAIL  shellcheck:"
  echo "$output" | sed 's/^/      /'
  failed=1
fi
nft=$(command -v nft || echo /usr/sbin/nft)
for role in hub node; do
  ruleset=Deploy/nftables/knutepunkt-$role.nft
  # The ports the shipped configuration binds off loopback, and the ports the ruleset drops for everyone not listed.
  bound=$(grep -E '^ *(listen|publish|control|http):' "Configs/production/$role.yaml" | grep -v '127\.0\.0\.1' |
    sed -E 's/ *#.*//; s/.*:([0-9]+)$/\1/' | sort -n | tr '\n' ' ')
  guarded=$(sed -n 's/.*tcp dport { *\([0-9, ]*\) *} .*drop.*/\1/p' "$ruleset" | tr -d ' ' | tr ',' '\n' | sort -n |
    tr '\n' ' ')
  problem=
  for port in $bound; do
    [[ " $guarded " == *" $port "* ]] || problem+=" port $port, bound in Configs/production/$role.yaml, is not guarded;"
  done
  if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    output=$(unshare -n sh -c "$nft -f $ruleset && $nft -f $ruleset" 2>&1) || problem+=" nft -f: $output"
    how="loads and reloads (network namespace)"
  else
    output=$("$nft" -c -f "$ruleset" 2>&1) || problem+=" nft -c: $output"
    how="passes nft -c"
  fi
  if [ -z "$problem" ]; then
    echo "ok    nftables: $ruleset $how; drops ${guarded}for all but the listed addresses (bound: ${bound% })"
  else
    echo "FAIL  nftables: $ruleset:$problem"
    failed=1
  fi
done


if [ "$failed" = 0 ]; then
  echo "deploy-check: everything under Deploy/ passed ($((SECONDS - started)) s)"
else
  echo "deploy-check: FAILED (see FAIL above)"
fi
exit "$failed"
