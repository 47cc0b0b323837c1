#!/usr/bin/env bash
# Runs the whole benchmark set (JMH micro-benchmarks, then the end-to-end benchmarks on in-process brokers)
# and writes the results into docs/benchmarks.md.
#
#   benchmarks/run.sh              full profile: the published numbers, about 11 minutes on 2 cores
#   benchmarks/run.sh smoke        every benchmark once with short settings (about 3 minutes)
#   benchmarks/run.sh full -o      extra arguments go to Maven (here: offline)
#
# Select parts with -Dbenchmarks.parts=micro,producer,provenance,consumer,flip,fleet,barrier,reconcile,rollback.
# Run it on a quiet machine: other load shows up as noise in every ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-full}"
if [[ $# -gt 0 ]]; then
  shift
fi
case "$profile" in
  full|smoke) ;;
  *) echo "usage: benchmarks/run.sh [full|smoke] [maven arguments...]" >&2; exit 2 ;;
esac

# Broker logs on tmpfs when there is one: the benchmarks compare CPU costs of clients, and a shared virtual
# disk's write-back stalls would otherwise dominate the variance.
tmpdir_arg=()
if [[ -d /dev/shm && -w /dev/shm ]]; then
  mkdir -p /dev/shm/turnout-benchmarks
  tmpdir_arg=(-Dbenchmarks.tmpdir=/dev/shm/turnout-benchmarks)
fi

exec ./mvnw -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true -Pbenchmarks -Dbenchmarks.profile="$profile" "${tmpdir_arg[@]}" "$@"
