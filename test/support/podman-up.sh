#!/usr/bin/env bash
# Starts what the docker-runtime tests of `goblin stack` need, all on this machine and all under DIR:
#   - Podman's Docker-compatible Engine API (`podman system service`) on unix://DIR/podman.sock, with
#     its own storage, a containers.conf for machines without systemd (runc, cgroupfs, no ulimits),
#   - a real image registry (Debian's docker-registry) on 127.0.0.1:<free port>, which the engine
#     pulls from over plain HTTP.
# Prints the environment the tests use (DOCKER_HOST, GOBLIN_TEST_REGISTRY, CONTAINERS_* for the podman
# CLI) as KEY=VALUE lines. Needs root and the Debian packages podman, runc, docker-registry.
# Stop everything with test/support/podman-down.sh DIR.
set -euo pipefail
dir=${1:?usage: podman-up.sh DIR}
mkdir -p "$dir/storage" "$dir/run" "$dir/registry-data" "$dir/networks"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
registry_port=$(free_port)

cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = []
netns = "bridge"
log_driver = "k8s-file"

[network]
network_config_dir = "$dir/networks"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF

cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF

cat > "$dir/registries.conf" <<CONF
unqualified-search-registries = []
[[registry]]
location = "127.0.0.1:$registry_port"
insecure = true
CONF

cat > "$dir/registry.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$registry_port
CONF

export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
  CONTAINERS_REGISTRIES_CONF="$dir/registries.conf"

setsid docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 < /dev/null &
echo $! > "$dir/registry.pid"
setsid podman system service --time=0 "unix://$dir/podman.sock" >"$dir/podman.log" 2>&1 < /dev/null &
echo $! > "$dir/podman.pid"

for _ in $(seq 1 100); do
  if [ -S "$dir/podman.sock" ] && curl -sf --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null &&
    curl -sf "http://127.0.0.1:$registry_port/v2/" >/dev/null; then
    echo "DOCKER_HOST=unix://$dir/podman.sock"
    echo "GOBLIN_TEST_REGISTRY=127.0.0.1:$registry_port"
    echo "CONTAINERS_CONF=$CONTAINERS_CONF"
    echo "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
    echo "CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF"
    exit 0
  fi
  sleep 0.1
done
echo "podman-up: the engine or the registry did not answer within 10 s; logs:" >&2
tail -n 20 "$dir/podman.log" "$dir/registry.log" >&2
exit 1
