#!/usr/bin/env bash
# The day-2 chain alone (scripts/cluster-day2/scenarios.sh): prod formed at the chain's start version, a worker
# added, then the skipped minor refused, the upgrade, +11 months, the etcd restore, a worker removed and control
# planes 5 -> 3. scripts/test-all.sh runs it as part of scripts/cluster-standin/run-scenarios.sh; this is for
# running it by itself.
#   bash scripts/cluster-day2/run-day2-scenarios.sh      (as root; SVOM_STANDIN_DIR as for the harness)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../cluster-standin/run-scenarios.sh" prod_formation worker_added_later day2_skip_refused day2_upgrade \
  day2_eleven_months day2_etcd_restore day2_worker_removed day2_control_planes_5_to_3
