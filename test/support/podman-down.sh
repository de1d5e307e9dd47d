#!/usr/bin/env bash
# Stops what podman-up.sh DIR started (by the pids it recorded) and removes DIR.
set -uo pipefail
dir=${1:?usage: podman-down.sh DIR}
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
  CONTAINERS_REGISTRIES_CONF="$dir/registries.conf"
# Containers left behind by a failed test would keep overlay mounts under DIR.
podman rm --all --force --time 0 >/dev/null 2>&1
podman network prune --force >/dev/null 2>&1 # only DIR/networks: containers.conf sets network_config_dir
for name in podman registry; do
  if [ -f "$dir/$name.pid" ]; then
    pid=$(cat "$dir/$name.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
done
grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
rm -rf "$dir"
exit 0
