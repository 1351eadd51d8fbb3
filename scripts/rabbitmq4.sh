# RabbitMQ 4 on a Debian 12 machine without Docker: Debian 13's rabbitmq-server package (4.0.5) needs a newer
# glibc, so it runs in a Debian 13 root entered with chroot. Sourced by test.sh and .ci/run; run it as root to
# make (about 4 minutes, once) or re-mount (after a reboot) the root the tests start their 4.x nodes from.
# Its functions use rabbitmq.sh's, which is sourced first.

RABBITMQ4_ROOT=${RABBITMQ4_ROOT:-/opt/trixie}

rabbitmq4_installed() {
    [ -x "$RABBITMQ4_ROOT/usr/lib/rabbitmq/bin/rabbitmq-server" ]
}

# The root shares the host's /proc, /sys, /dev and /tmp (so a node's folder has one path inside and out).
mount_rabbitmq4_root() {
    local d
    for d in proc sys dev tmp; do
        mountpoint -q "$RABBITMQ4_ROOT/$d" || mount --bind "/$d" "$RABBITMQ4_ROOT/$d" || return 1
    done
}

# Makes the root when it is missing and we may (root, apt-get, the Debian mirror apt already uses), then mounts it.
ensure_rabbitmq4_root() {
    if ! rabbitmq4_installed; then
        if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
            echo "RabbitMQ 4 is needed: run scripts/rabbitmq4.sh as root once, or set RABBITMQ_URL to a 4.x broker." >&2
            return 1
        fi
        local mirror
        mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
        mirror=${mirror:-http://deb.debian.org/debian}
        echo "Making a Debian 13 root with RabbitMQ 4 in $RABBITMQ4_ROOT (about 4 minutes, once)..." >&2
        ensure_debian_packages debootstrap || return 1
        debootstrap --variant=minbase trixie "$RABBITMQ4_ROOT" "$mirror" >/dev/null || return 1
        mount_rabbitmq4_root || return 1
        # Nothing starts as a service inside the root: the tests start their own nodes.
        printf '#!/bin/sh\nexit 101\n' >"$RABBITMQ4_ROOT/usr/sbin/policy-rc.d"
        chmod +x "$RABBITMQ4_ROOT/usr/sbin/policy-rc.d"
        chroot "$RABBITMQ4_ROOT" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends rabbitmq-server' >/dev/null || return 1
    fi
    [ "$(id -u)" -ne 0 ] && return 0
    mount_rabbitmq4_root
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    source "$(dirname "$0")/rabbitmq.sh"
    ensure_rabbitmq4_root
    echo "RabbitMQ $(chroot "$RABBITMQ4_ROOT" dpkg-query -W -f '${Version}' rabbitmq-server) is ready in $RABBITMQ4_ROOT."
fi
