#!/usr/bin/env bash
# Installs Knutepunkt on a Debian 12 machine as a hub or a regional node.
#
#   sudo Deploy/install.sh hub              # the national hub
#   sudo Deploy/install.sh node             # a regional node (edit /etc/knutepunkt/node.yaml afterwards)
#
# Builds the release binary (Swift must be installed), installs it to /usr/local/bin, creates the knutepunkt
# user, /etc/knutepunkt (configuration, never overwritten) and /var/lib/knutepunkt (data), and enables the
# systemd unit. Running it again upgrades the binary and keeps configuration and data.
set -euo pipefail

role="${1:-}"
case "$role" in
  hub|node) ;;
  *) echo "usage: $0 hub|node" >&2; exit 64 ;;
esac
[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0 $role)" >&2; exit 77; }
cd "$(dirname "$0")/.."

if ! pkg-config --exists libzmq 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev pkg-config
fi

swift build -c release --product knutepunkt
install -m 0755 .build/release/knutepunkt /usr/local/bin/knutepunkt

id knutepunkt >/dev/null 2>&1 || useradd --system --home-dir /var/lib/knutepunkt --shell /usr/sbin/nologin knutepunkt
install -d -m 0750 -o knutepunkt -g knutepunkt /var/lib/knutepunkt
install -d -m 0755 /etc/knutepunkt
[ -e /etc/knutepunkt/taxonomy.yaml ] || install -m 0644 Configs/taxonomy.yaml /etc/knutepunkt/taxonomy.yaml
[ -e "/etc/knutepunkt/$role.yaml" ] || install -m 0640 -g knutepunkt "Configs/production/$role.yaml" "/etc/knutepunkt/$role.yaml"
install -d -m 0755 /usr/share/doc/knutepunkt
install -m 0644 README.md Deploy/README.md /usr/share/doc/knutepunkt/ 2>/dev/null || install -m 0644 README.md /usr/share/doc/knutepunkt/

/usr/local/bin/knutepunkt config check "/etc/knutepunkt/$role.yaml"
install -m 0644 "Deploy/systemd/knutepunkt-$role.service" /etc/systemd/system/
systemctl daemon-reload
systemctl enable "knutepunkt-$role.service"
systemctl restart "knutepunkt-$role.service"
echo "knutepunkt $role installed; status: knutepunkt status --config /etc/knutepunkt/$role.yaml"
