#!/usr/bin/env bash
# Single-node Ceph RGW for the tests: one msgr-v2 monitor, one memstore OSD, one radosgw (beast) on 127.0.0.1.
# Everything lives in one state directory; nothing is written to /etc/ceph or /var/lib/ceph and systemd is not used.
# Several clusters can run at once: each gets its own state directory and free ports.
#
# Usage:
#   tests/rgw/rgw.sh start [STATE_DIR]     bring a cluster up; prints KEY=VALUE lines (also in STATE_DIR/rgw.env)
#   tests/rgw/rgw.sh user STATE_DIR UID [--tenant T] [--max-buckets N] [--caps CAPS]
#                                          create a user; prints its KEY=VALUE lines (RGW_USER_*)
#   tests/rgw/rgw.sh stop STATE_DIR        stop every daemon of that cluster (by PID) and remove STATE_DIR
#   tests/rgw/rgw.sh install               install the Debian packages if they are missing
#   tests/rgw/rgw.sh status STATE_DIR      exit 0 when S3 answers
#
# start prints (and writes to STATE_DIR/rgw.env, which a shell can source):
#   RGW_STATE_DIR RGW_ENDPOINT RGW_PORT RGW_CONF RGW_ADMIN_UID RGW_ADMIN_ACCESS_KEY RGW_ADMIN_SECRET_KEY RGW_BRINGUP_SECONDS
# Environment: RGW_PORT (fixed S3 port instead of a free one), RGW_START_TIMEOUT (seconds, default 120),
#   RGW_SKIP_INSTALL=1 (never call apt-get), RGW_STOP_GRACE (seconds between SIGTERM and SIGKILL, default 5).
# Every request's record: STATE_DIR/log/ops.log (RGW's ops log, S3 operations only, one JSON object a line);
# IAM calls are not in it (use tests/rgw/count-proxy.py to see them).
set -euo pipefail

ADMIN_CAPS='user-policy=*;users=*;buckets=*;metadata=*;usage=*;zone=*'
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)

log() { echo "rgw.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now() { date +%s.%N; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

install_packages() {
    local missing=()
    command -v ceph-mon >/dev/null || missing+=(ceph-mon)
    command -v ceph-osd >/dev/null || missing+=(ceph-osd)
    command -v radosgw >/dev/null || missing+=(radosgw)
    { command -v ceph >/dev/null && command -v radosgw-admin >/dev/null && command -v monmaptool >/dev/null; } || missing+=(ceph-common)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "${RGW_SKIP_INSTALL:-}" = 1 ] && die "missing: ${missing[*]} (RGW_SKIP_INSTALL=1, not installing)"
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "missing: ${missing[*]}; not root and no sudo to install them"
        sudo=(sudo -n)
    fi
    log "installing ${PACKAGES[*]} (missing: ${missing[*]})"
    # Another apt may hold the lock (e.g. the machine image still installing); wait for it, bounded.
    local i
    for i in $(seq 1 3); do
        if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${PACKAGES[@]}" >&2; then
            return 0
        fi
        log "apt-get install failed (attempt $i); running apt-get update"
        "${sudo[@]}" apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || true
    done
    die "could not install ${PACKAGES[*]}"
}

# Stops a process by PID: SIGTERM, wait up to RGW_STOP_GRACE seconds (default 5), then SIGKILL
# (radosgw may ignore SIGTERM for longer).
stop_pid() {
    local pid=$1 name=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $(( ${RGW_STOP_GRACE:-5} * 10 ))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name (pid $pid) ignored SIGTERM for ${RGW_STOP_GRACE:-5} s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name (pid $pid) still alive after SIGKILL"
}

cmd_stop() {
    local dir=${1:-}
    [ -n "$dir" ] || die "usage: rgw.sh stop STATE_DIR"
    [ -d "$dir" ] || { log "no state directory $dir"; return 0; }
    [ -f "$dir/rgw-state" ] || die "$dir is not an rgw.sh state directory (no rgw-state marker); not touching it"
    # radosgw first, while the monitor and the OSD still answer it (it may ignore SIGTERM for more than 5 s, so
    # stop_pid escalates to SIGKILL); then the OSD and the monitor together.
    [ -f "$dir/pids/radosgw" ] && stop_pid "$(cat "$dir/pids/radosgw")" radosgw
    local name
    for name in osd mon; do
        [ -f "$dir/pids/$name" ] && { kill -TERM "$(cat "$dir/pids/$name")" 2>/dev/null || true; }
    done
    for name in osd mon; do
        [ -f "$dir/pids/$name" ] && stop_pid "$(cat "$dir/pids/$name")" "$name"
    done
    rm -rf -- "$dir"
    log "stopped and removed $dir"
}

s3_answers() {
    # Anonymous GET / answers 200 once radosgw is serving.
    local code
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null || true)
    [ "$code" = 200 ]
}

cmd_status() {
    local dir=${1:-}
    [ -f "$dir/rgw.env" ] || die "no $dir/rgw.env"
    # shellcheck disable=SC1091
    . "$dir/rgw.env"
    s3_answers "$RGW_PORT"
}

# Prints a user's keys as KEY=VALUE lines from radosgw-admin's JSON.
print_user_keys() {
    local prefix=$1
    python3 -c '
import json, sys
prefix = sys.argv[1]
u = json.load(sys.stdin)
k = u["keys"][0]
print(prefix + "UID=" + k["user"])
print(prefix + "ACCESS_KEY=" + k["access_key"])
print(prefix + "SECRET_KEY=" + k["secret_key"])
' "$prefix"
}

rgw_admin() {
    local dir=$1; shift
    radosgw-admin -c "$dir/ceph.conf" -n client.admin "$@" 2>>"$dir/log/radosgw-admin.log"
}

cmd_user() {
    local dir=${1:-} uid=${2:-}
    [ -n "$dir" ] && [ -n "$uid" ] || die "usage: rgw.sh user STATE_DIR UID [--tenant T] [--max-buckets N] [--caps CAPS]"
    [ -f "$dir/ceph.conf" ] || die "no cluster in $dir"
    shift 2
    local args=(user create --uid "$uid" --display-name "$uid")
    local caps=""
    while [ $# -gt 0 ]; do
        case $1 in
            --tenant) args+=(--tenant "$2"); shift 2 ;;
            --max-buckets) args+=(--max-buckets "$2"); shift 2 ;;
            --caps) caps=$2; shift 2 ;;
            *) die "unknown option $1 (valid: --tenant T, --max-buckets N, --caps CAPS)" ;;
        esac
    done
    local json
    json=$(rgw_admin "$dir" "${args[@]}") || die "radosgw-admin user create --uid $uid failed (see $dir/log/radosgw-admin.log)"
    if [ -n "$caps" ]; then
        local full=$uid
        for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[$i]}" = --tenant ] && full="${args[$((i + 1))]}\$$uid"; done
        json=$(rgw_admin "$dir" caps add --uid "$full" --caps "$caps") || die "radosgw-admin caps add for $full failed"
    fi
    printf '%s' "$json" | print_user_keys RGW_USER_
}

write_conf() {
    local dir=$1 fsid=$2 monport=$3 rgwport=$4
    cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$monport]
mon_initial_members = a
ms_bind_msgr1 = false
ms_bind_msgr2 = true
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc secure
ms_client_mode = crc secure
keyring = $dir/keyring
run_dir = $dir/run
admin_socket = $dir/run/\$name.asok
log_file = $dir/log/\$name.log
pid_file = $dir/run/\$name.pid
crash_dir = $dir/crash
exporter_sock_dir = $dir/run
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 1
mon_data_avail_crit = 0
debug_ms = 0

[mon]
mon_data = $dir/mon.\$id

[osd]
osd_data = $dir/osd.\$id
osd_objectstore = memstore
memstore_device_bytes = 2147483648
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64

[client.admin]
# the ceph CLI and radosgw-admin: many may run at once, so no admin socket
admin_socket =

[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$rgwport
rgw_data = $dir/rgw
rgw_lc_debug_interval = 10
rgw_enable_ops_log = true
rgw_ops_log_file_path = $dir/log/ops.log
rgw_ops_log_rados = false
EOF
}

wait_for() {
    # wait_for DESCRIPTION DEADLINE_EPOCH COMMAND...
    local what=$1 deadline=$2; shift 2
    while ! "$@"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
        sleep 0.2
    done
}

osd_up() {
    ceph -c "$1/ceph.conf" osd stat -f json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin).get("num_up_osds",0)>=1 else 1)' 2>/dev/null
}

proc_alive() { kill -0 "$(cat "$1")" 2>/dev/null; }

fail_start() {
    local dir=$1 msg=$2
    log "ERROR: $msg"
    local f
    for f in "$dir"/log/*.log; do
        [ -f "$f" ] || continue
        log "---- last lines of $f"
        tail -n 15 "$f" >&2 || true
    done
    cmd_stop "$dir" || true
    exit 1
}

cmd_start() {
    local dir=${1:-}
    install_packages
    local t0; t0=$(now)
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/backupiam-rgw.XXXXXX")
    else
        [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ] && die "state directory $dir exists and is not empty"
        mkdir -p "$dir"
    fi
    dir=$(cd "$dir" && pwd)
    touch "$dir/rgw-state"
    mkdir -p "$dir/run" "$dir/log" "$dir/pids" "$dir/crash" "$dir/rgw" "$dir/mon.a" "$dir/osd.0"
    local timeout=${RGW_START_TIMEOUT:-120}
    local deadline=$(( $(date +%s) + timeout ))

    local fsid monport rgwport
    fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    monport=$(free_port)
    rgwport=${RGW_PORT:-$(free_port)}
    [ "$rgwport" = "$monport" ] && rgwport=$(free_port)
    port_in_use "$rgwport" && fail_start "$dir" "port $rgwport is in use"
    write_conf "$dir" "$fsid" "$monport" "$rgwport"
    local conf=$dir/ceph.conf

    # Monitor.
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$monport]" "$dir/monmap" >"$dir/log/monmaptool.log" 2>&1 \
        || fail_start "$dir" "monmaptool failed"
    ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" >"$dir/log/mon-mkfs.log" 2>&1 || fail_start "$dir" "ceph-mon --mkfs failed"
    ceph-mon -c "$conf" -i a -f >"$dir/log/mon.stdout" 2>&1 &
    echo $! >"$dir/pids/mon"
    wait_for "monitor" "$deadline" ceph -c "$conf" --connect-timeout 2 mon stat >/dev/null 2>&1 \
        || fail_start "$dir" "the monitor did not answer within ${timeout}s"

    # OSD (memstore).
    local osduuid osdid
    osduuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    osdid=$(ceph -c "$conf" osd new "$osduuid" 2>>"$dir/log/ceph-cli.log") || fail_start "$dir" "ceph osd new failed"
    [ "$osdid" = 0 ] || fail_start "$dir" "unexpected OSD id $osdid"
    ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osduuid" >"$dir/log/osd-mkfs.log" 2>&1 || fail_start "$dir" "ceph-osd --mkfs failed"
    ceph-osd -c "$conf" -i 0 -f >"$dir/log/osd.stdout" 2>&1 &
    echo $! >"$dir/pids/osd"
    wait_for "osd" "$deadline" osd_up "$dir" || fail_start "$dir" "the OSD did not come up within ${timeout}s"

    # radosgw (creates its pools itself).
    radosgw -c "$conf" -n client.rgw.a -f >"$dir/log/radosgw.stdout" 2>&1 &
    echo $! >"$dir/pids/radosgw"
    local up=0
    while [ "$(date +%s)" -lt "$deadline" ]; do
        proc_alive "$dir/pids/radosgw" || fail_start "$dir" "radosgw exited during start"
        if s3_answers "$rgwport"; then up=1; break; fi
        sleep 0.2
    done
    [ $up = 1 ] || fail_start "$dir" "S3 did not answer on 127.0.0.1:$rgwport within ${timeout}s"

    local admin
    admin=$(cmd_user "$dir" admin --caps "$ADMIN_CAPS") || fail_start "$dir" "could not create the admin user"
    local t1 secs; t1=$(now)
    secs=$(python3 -c "print(f'{$t1-$t0:.1f}')")
    {
        echo "RGW_STATE_DIR=$dir"
        echo "RGW_ENDPOINT=http://127.0.0.1:$rgwport"
        echo "RGW_PORT=$rgwport"
        echo "RGW_CONF=$conf"
        echo "$admin" | sed 's/^RGW_USER_/RGW_ADMIN_/'
        echo "RGW_BRINGUP_SECONDS=$secs"
    } >"$dir/rgw.env.tmp"
    chmod 600 "$dir/rgw.env.tmp"
    mv "$dir/rgw.env.tmp" "$dir/rgw.env"
    log "RGW up at http://127.0.0.1:$rgwport in ${secs}s (state: $dir)"
    cat "$dir/rgw.env"
}

main() {
    local sub=${1:-}
    [ $# -gt 0 ] && shift
    case $sub in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        user) cmd_user "$@" ;;
        status) cmd_status "$@" ;;
        install) install_packages ;;
        *) die "usage: rgw.sh start [STATE_DIR] | user STATE_DIR UID [--tenant T] [--max-buckets N] [--caps CAPS] | stop STATE_DIR | status STATE_DIR | install" ;;
    esac
}

main "$@"
