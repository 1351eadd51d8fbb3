# Shell functions to find, install and run RabbitMQ on a Debian machine without Docker.
# Sourced by run.sh, test.sh and .ci/run.

RABBITMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
RABBITMQ_CTL=/usr/lib/rabbitmq/bin/rabbitmqctl

rabbitmq_installed() {
    [ -x "$RABBITMQ_SERVER" ] && [ -x "$RABBITMQ_CTL" ]
}

# Installs Debian packages that are missing, when we may (root with apt-get); false when some stay missing.
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${missing[*]}..." >&2
        # rabbitmq-server's post-install may fail to start a system service without an init system; we start our own node.
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 && return 0
    fi
    return 1
}

# Installs Debian's rabbitmq-server when it is missing and we may.
ensure_rabbitmq_installed() {
    rabbitmq_installed && return 0
    ensure_debian_packages rabbitmq-server && rabbitmq_installed && return 0
    cat >&2 <<'MSG'
RabbitMQ is needed and was not found. Either:
  - install it: sudo apt-get install rabbitmq-server   (then run this again), or
  - point at a running broker: RABBITMQ_URL=amqp://user:password@host:5672/ (and RABBITMQ_MANAGEMENT_URL for its UI).
MSG
    return 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts a private node with its own data, cookie and ports under folder $1; AMQP on $2, management UI on $3.
# It never touches a system node's files. Prints nothing on success; the node's logs stay in $1/log.
start_private_rabbitmq() {
    local dir=$1 amqp_port=$2 management_port=$3
    local node="predictions-$amqp_port@localhost"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp_port
management.tcp.ip = 127.0.0.1
management.tcp.port = $management_port
CONF
    # The management UI, and the shovel that its "Move messages" and the replay in docs/amqp.md use.
    echo '[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].' >"$dir/enabled_plugins"
    : >"$dir/empty"
    RABBITMQ_PRIVATE_ENV=(
        "HOME=$dir" "RABBITMQ_NODENAME=$node" "RABBITMQ_NODE_PORT=$amqp_port"
        "RABBITMQ_DIST_PORT=$((amqp_port + 20000))" "RABBITMQ_MNESIA_BASE=$dir/mnesia" "RABBITMQ_LOG_BASE=$dir/log"
        "RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf" "RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins"
        "RABBITMQ_CONF_ENV_FILE=$dir/empty" "RABBITMQ_PID_FILE=$dir/rabbitmq.pid"
    )
    RABBITMQ_PRIVATE_NODE=$node
    rm -f "$dir/rabbitmq.pid"
    env "${RABBITMQ_PRIVATE_ENV[@]}" setsid "$RABBITMQ_SERVER" >"$dir/server.out" 2>&1 &
    if ! env "${RABBITMQ_PRIVATE_ENV[@]}" "$RABBITMQ_CTL" -n "$node" wait "$dir/rabbitmq.pid" --timeout 90 >/dev/null; then
        echo "RabbitMQ did not start; see $dir/server.out and $dir/log" >&2
        return 1
    fi
}

stop_private_rabbitmq() {
    [ -n "${RABBITMQ_PRIVATE_NODE:-}" ] || return 0
    env "${RABBITMQ_PRIVATE_ENV[@]}" "$RABBITMQ_CTL" -n "$RABBITMQ_PRIVATE_NODE" stop >/dev/null 2>&1 || true
    unset RABBITMQ_PRIVATE_NODE
}
