#!/usr/bin/env bash
# Static checks of everything under Deploy/ (`make deploy-check`, part of `make test`):
#
#   1. systemd   systemd-analyze verify on both units, which must print nothing (verify exits 0 on an unknown or
#                misspelt directive, so any output fails the check), and systemd-analyze security --offline with
#                a ceiling on the exposure score. The units' binary, /usr/local/bin/knutepunkt, is not installed
#                here: the units are checked as copies in which only that path points at a stub executable.
#   2. Containerfile, compose.yaml, Kubernetes manifests: Deploy/check.py (dockerfile-parse, the Compose
#                Specification schema via check-jsonschema, the Kubernetes schemas via kubernetes-validate, and the
#                cross-references between them).
#   3. The daemon configurations as the image and the ConfigMap hold them: `knutepunkt config check
#                --separate-hosts` (each daemon in its own container), with .build/debug/knutepunkt if it is built
#                (make test builds it first).
#   4. Prometheus: `promtool check rules` on Deploy/prometheus/alerts.yml, `promtool test rules` on its unit tests
#                (each alert fires on series that show its problem, and not on healthy ones), and `promtool check
#                config` on Deploy/container/prometheus.yml with the rules beside it, as compose mounts them.
#
# Installs what it lacks: systemd (for systemd-analyze) and prometheus (for promtool; its daemon is not started here)
# from Debian, the Python tools from PyPI into .build-tools/deploy-venv (pinned in Deploy/requirements-check.txt;
# reinstalled when that file changes).
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
  sed "s#/usr/local/bin/knutepunkt#$work/knutepunkt#g" "$unit" >"$copy"
  if cmp -s "$unit" "$copy"; then
    echo "FAIL  $unit: does not start /usr/local/bin/knutepunkt"
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
if [ -x .build/debug/knutepunkt ]; then
  "$VENV/bin/python" Deploy/check.py --stage "$work/etc"
  for layout in image configmap; do
    # Throwaway CURVE keys where the configurations expect the mounted ones (the image holds none).
    .build/debug/knutepunkt keys ensure "$work/etc/$layout" >/dev/null
    if output=$(.build/debug/knutepunkt config check --separate-hosts "$work/etc/$layout" 2>&1); then
      count=$(find "$work/etc/$layout" -type f | wc -l)
      echo "ok    knutepunkt config check: /etc/knutepunkt as the $layout has it ($count files)"
    else
      echo "FAIL  knutepunkt config check: /etc/knutepunkt as the $layout has it:"
      echo "$output" | sed "s#$work/etc/$layout#/etc/knutepunkt#g; s#^#      #"
      failed=1
    fi
  done
else
  echo "skip  knutepunkt config check: .build/debug/knutepunkt is not built (make build; make test builds it)"
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

if [ "$failed" = 0 ]; then
  echo "deploy-check: everything under Deploy/ passed ($((SECONDS - started)) s)"
else
  echo "deploy-check: FAILED (see FAIL above)"
fi
exit "$failed"
