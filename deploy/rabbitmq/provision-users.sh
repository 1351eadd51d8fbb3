#!/bin/sh
# Creates the users the services connect as, each allowed only what it does (docs/broker-users.md), through
# the RabbitMQ management HTTP API. Safe to re-run: users, passwords and permissions are set, not added.
#
# Everything comes from the environment; passwords never appear on a command line (curl reads them from
# private temporary files, deleted on exit):
#   RABBITMQ_MANAGEMENT_URL    the management API (default http://rabbitmq:15672)
#   RABBITMQ_ADMIN_USER        an administrator to do this as (default admin); RABBITMQ_ADMIN_PASSWORD
#   RABBITMQ_VHOST             the services' virtual host, created when missing (default /)
#   RABBITMQ_GATEWAY_USER      default gateway; RABBITMQ_GATEWAY_PASSWORD
#   RABBITMQ_WORKER_USER       default worker; RABBITMQ_WORKER_PASSWORD
#   RABBITMQ_REMOVE_GUEST      yes (default): delete the well-known guest user unless it is the administrator
# Needs only sh and curl (the curlimages/curl image in docker-compose.yml).
set -eu

# What each service declares (configure), publishes to or binds into (write), consumes from or binds from
# (read). An exchange and a queue of one name share a permission, and MassTransit gives every queue an
# exchange of its name, so these are names of both. Anchored: RabbitMQ matches a regex anywhere in a name.
# model-rollouts and model-readiness carry the rollout between the services, each host on a queue of its own
# (model-rollouts.{host}): the gateways announce the state, the workers report which versions they serve.
GATEWAY_CONFIGURE='^prediction-(requests|submissions|lanes|worker|completed|failed|expired|status|status-requests|status_error|status_skipped|status-requests_error)$|^model-(rollouts|readiness)(\.[a-z0-9._-]+(_error|_skipped)?)?$'
GATEWAY_WRITE='^prediction-(submissions|lanes|worker|status|status-requests|status_error|status_skipped|status-requests_error)$|^model-rollouts$|^model-(rollouts|readiness)\.[a-z0-9._-]+(_error|_skipped)?$'
GATEWAY_READ='^prediction-(requests|submissions|completed|failed|expired|status|status-requests|status_error|status_skipped|status-requests_error)$|^model-(rollouts|readiness)(\.[a-z0-9._-]+(_error|_skipped)?)?$'
WORKER_CONFIGURE='^prediction-(requests|lanes|worker|completed|failed|expired|audit|worker_error|worker_skipped|worker_suspect|worker_suspect_error|worker_suspect_skipped|worker_poison|worker_poisoned|worker_poisoned_error|worker_poisoned_skipped|audit_error|audit_skipped|worker\.[a-z0-9][a-z0-9_-]*\.[0-9]+(_suspect)?(_error|_skipped)?)$|^model-(rollouts|readiness)$|^model-rollouts\.[a-z0-9._-]+(_error|_skipped)?$'
WORKER_WRITE='^prediction-(lanes|worker|completed|failed|expired|audit|worker_error|worker_skipped|worker_suspect|worker_suspect_error|worker_suspect_skipped|worker_poison|worker_poisoned|worker_poisoned_error|worker_poisoned_skipped|audit_error|audit_skipped|worker\.[a-z0-9][a-z0-9_-]*\.[0-9]+(_suspect)?(_error|_skipped)?)$|^model-readiness$|^model-rollouts\.[a-z0-9._-]+(_error|_skipped)?$'
WORKER_READ='^prediction-(requests|lanes|worker|completed|failed|expired|audit|worker_error|worker_skipped|worker_suspect|worker_suspect_error|worker_suspect_skipped|worker_poison|worker_poisoned|worker_poisoned_error|worker_poisoned_skipped|audit_error|audit_skipped|worker\.[a-z0-9][a-z0-9_-]*\.[0-9]+(_suspect)?(_error|_skipped)?)$|^model-rollouts(\.[a-z0-9._-]+(_error|_skipped)?)?$'

url=${RABBITMQ_MANAGEMENT_URL:-http://rabbitmq:15672}
url=${url%/}
admin=${RABBITMQ_ADMIN_USER:-admin}
vhost=${RABBITMQ_VHOST:-/}
gateway=${RABBITMQ_GATEWAY_USER:-gateway}
worker=${RABBITMQ_WORKER_USER:-worker}
for required in RABBITMQ_ADMIN_PASSWORD RABBITMQ_GATEWAY_PASSWORD RABBITMQ_WORKER_PASSWORD; do
    eval "value=\${$required:-}"
    [ -n "$value" ] || { echo "$required is not set." >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A JSON string (and a curl config value): backslashes and double quotes escaped.
quote() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# curl reads the administrator's credentials from a private file, so they never show in a process list.
umask 077
printf 'user = %s\n' "$(quote "$admin:$RABBITMQ_ADMIN_PASSWORD")" >"$work/auth"

# api METHOD PATH [BODY]: sends the JSON body (from a private file, like the credentials); sets $status.
api() {
    printf '%s' "${3:-}" >"$work/body"
    status=$(curl -sS -K "$work/auth" -o "$work/response" -w '%{http_code}' -X "$1" \
        -H 'Content-Type: application/json' --data-binary @"$work/body" "$url/api/$2" 2>"$work/error") || status=000
}

# expect WHAT STATUS...: fails with the broker's answer unless $status is one of the given ones.
expect() {
    what=$1
    shift
    for ok in "$@"; do
        [ "$status" = "$ok" ] && return 0
    done
    echo "$what failed: HTTP $status $(cat "$work/response" "$work/error" 2>/dev/null)" >&2
    exit 1
}

# The path segment for a name: the default virtual host "/" is %2F.
segment() {
    printf '%s' "$1" | sed 's/%/%25/g; s|/|%2F|g; s/ /%20/g'
}

# The broker may still be starting: wait up to a minute for its management API.
tries=0
while :; do
    api GET overview
    case $status in
        200) break ;;
        401) echo "The management API at $url refused user $admin: check RABBITMQ_ADMIN_USER and RABBITMQ_ADMIN_PASSWORD." >&2; exit 1 ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || expect "Reaching the management API at $url" 200
    sleep 1
done

v=$(segment "$vhost")
api PUT "vhosts/$v" '{}'
expect "Creating virtual host $vhost" 201 204
api PUT "permissions/$v/$(segment "$admin")" '{"configure": ".*", "write": ".*", "read": ".*"}'
expect "Granting $admin virtual host $vhost" 201 204

# provision USER PASSWORD CONFIGURE WRITE READ: no tags, so no management UI or API for a service.
provision() {
    api PUT "users/$(segment "$1")" "$(printf '{"password": %s, "tags": ""}' "$(quote "$2")")"
    expect "Creating user $1" 201 204
    api PUT "permissions/$v/$(segment "$1")" \
        "$(printf '{"configure": %s, "write": %s, "read": %s}' "$(quote "$3")" "$(quote "$4")" "$(quote "$5")")"
    expect "Setting the permissions of $1" 201 204
    echo "User $1: configure $3, write $4, read $5 on virtual host $vhost."
}

provision "$gateway" "$RABBITMQ_GATEWAY_PASSWORD" "$GATEWAY_CONFIGURE" "$GATEWAY_WRITE" "$GATEWAY_READ"
provision "$worker" "$RABBITMQ_WORKER_PASSWORD" "$WORKER_CONFIGURE" "$WORKER_WRITE" "$WORKER_READ"

if [ "${RABBITMQ_REMOVE_GUEST:-yes}" = yes ] && [ "$admin" != guest ]; then
    api DELETE users/guest
    expect "Deleting user guest" 204 404
    [ "$status" = 204 ] && echo "User guest deleted."
fi
exit 0
