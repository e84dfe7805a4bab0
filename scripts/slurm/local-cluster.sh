#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the tests of `edgekd slurm` (host/tests/slurm_cluster.rs)
# and for trying the cluster commands of docs/cluster.md without a cluster.
#
#   bash scripts/slurm/local-cluster.sh start    # install slurm-wlm and munge if missing, configure, start
#   bash scripts/slurm/local-cluster.sh status   # daemons, the node's state, the queue
#   bash scripts/slurm/local-cluster.sh stop     # stop slurmctld, slurmd and munged
#
# `start` is idempotent: with the daemons up and the node usable it changes nothing. The configuration
# describes this machine as `slurmd -C` sees it (CPUs, sockets, cores, memory), schedules CPUs and memory
# (select/cons_tres), tracks processes without cgroups (proctrack/linuxproc, task/none) and keeps its state,
# logs and spool under $EDGEKD_SLURM_HOME (default ~/.cache/edgekd-slurm). There is no accounting database:
# finished jobs stay visible to `scontrol show job` for MinJobAge seconds, and each finished job is a line of
# $EDGEKD_SLURM_HOME/jobcomp.log. The configuration is installed as /etc/slurm/slurm.conf, so that plain
# `sbatch`, `squeue` and `scontrol` find it, unless a slurm.conf not written by this script is there.
# Needs root (it installs packages and runs the daemons as root).
set -euo pipefail

home="${EDGEKD_SLURM_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/edgekd-slurm}"
conf=/etc/slurm/slurm.conf
marker="# written by edgekd scripts/slurm/local-cluster.sh"
node="$(hostname -s)"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

install_packages() {
  local need=()
  command -v slurmctld >/dev/null || need+=(slurm-wlm)
  command -v munged >/dev/null || need+=(munge)
  if [ ${#need[@]} -gt 0 ]; then
    echo "=== installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
}

write_config() {
  mkdir -p "$home/state" "$home/spool" "$home/log"
  # `slurmd -C` prints this node as Slurm sees it: NodeName=… CPUs=… Boards=… … RealMemory=…
  local hardware cpus memory
  hardware="$(slurmd -C | head -1)"
  cpus="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hardware")"
  memory="$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hardware")"
  hardware="$(sed 's/ RealMemory=[0-9]*//' <<<"$hardware")"
  # Leave a little memory to the system, and give each CPU its share by default.
  memory=$((memory * 95 / 100))
  local per_cpu=$((memory / cpus))
  local tmp="$home/slurm.conf.new"
  cat >"$tmp" <<EOF
$marker
ClusterName=edgekd
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=$per_cpu
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
MaxArraySize=100001
SchedulerType=sched/backfill
StateSaveLocation=$home/state
SlurmdSpoolDir=$home/spool
SlurmctldPidFile=$home/slurmctld.pid
SlurmdPidFile=$home/slurmd.pid
SlurmctldLogFile=$home/log/slurmctld.log
SlurmdLogFile=$home/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$home/jobcomp.log
$hardware RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    echo "$conf exists and was not written by this script; leaving it alone (export SLURM_CONF=$home/slurm.conf)" >&2
    mv "$tmp" "$home/slurm.conf"
    return
  fi
  mv "$tmp" "$home/slurm.conf"
  $sudo mkdir -p "$(dirname "$conf")"
  if ! cmp -s "$home/slurm.conf" "$conf"; then
    $sudo cp "$home/slurm.conf" "$conf"
  fi
}

munge_running() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
ctld_running() { scontrol ping 2>/dev/null | grep -q "is UP"; }
slurmd_running() { [ -f "$home/slurmd.pid" ] && kill -0 "$(cat "$home/slurmd.pid")" 2>/dev/null; }
node_state() { sinfo -h -n "$node" -o %T 2>/dev/null | head -1; }

start() {
  install_packages
  write_config
  if ! munge_running; then
    echo "=== starting munged"
    $sudo mkdir -p /run/munge /var/log/munge /var/lib/munge
    $sudo chown munge:munge /run/munge /var/log/munge /var/lib/munge
    [ -s /etc/munge/munge.key ] || $sudo mungekey --create --keyfile=/etc/munge/munge.key
    $sudo chown munge:munge /etc/munge/munge.key
    $sudo chmod 0400 /etc/munge/munge.key
    $sudo runuser -u munge -- munged
    for _ in $(seq 50); do munge_running && break; sleep 0.1; done
    munge_running || { echo "munged did not start (see /var/log/munge/munged.log)" >&2; exit 1; }
  fi
  if ! ctld_running; then
    echo "=== starting slurmctld"
    $sudo slurmctld
    for _ in $(seq 100); do ctld_running && break; sleep 0.2; done
    ctld_running || { echo "slurmctld did not start (see $home/log/slurmctld.log)" >&2; exit 1; }
  fi
  if ! slurmd_running; then
    echo "=== starting slurmd"
    $sudo slurmd
  fi
  # The node is usable once it is idle (or running jobs); a node left down or drained is resumed.
  local state=""
  for _ in $(seq 150); do
    state="$(node_state)"
    case "$state" in
      idle*|mixed*|allocated*|completing*) echo "slurm: node $node is $state"; return 0 ;;
      down*|drain*|fail*) $sudo scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
    esac
    sleep 0.2
  done
  echo "slurm: node $node did not become idle (state: ${state:-unknown}; see $home/log/)" >&2
  exit 1
}

stop() {
  if ctld_running; then
    echo "=== stopping slurmctld and slurmd"
    $sudo scontrol shutdown >/dev/null
  fi
  for pidfile in "$home/slurmd.pid" "$home/slurmctld.pid"; do
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      $sudo kill "$(cat "$pidfile")"
    fi
  done
  if munge_running; then
    echo "=== stopping munged"
    $sudo munged --stop >/dev/null
  fi
}

status() {
  munge_running && echo "munged: running" || echo "munged: stopped"
  ctld_running && echo "slurmctld: running" || echo "slurmctld: stopped"
  slurmd_running && echo "slurmd: running" || echo "slurmd: stopped"
  if ctld_running; then
    sinfo
    squeue
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
