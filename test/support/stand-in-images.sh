#!/usr/bin/env bash
# Builds the images the docker-runtime tests of `goblin stack` run, pushes them to the local registry
# and removes the local copies, so that `goblin stack up` has to pull them through the Engine API.
# No public registry is reachable here, so every image is built from this machine's files:
#   prometheus   REAL: Debian's /usr/bin/prometheus on an otherwise empty root filesystem; it runs with
#                goblin's real stack/prometheus/prometheus.yml.
#   stand-in-*   STAND-INS for the OpenTelemetry Collector, Tempo, Loki and Grafana, whose real images
#                cannot be built here: busybox httpd answering the health path goblin probes, after
#                printing the arguments, env (GF_*) and the first line of each config file goblin mounted.
#   stand-in-never-healthy  runs but never answers (for the health-deadline test).
# Usage: stand-in-images.sh DIR REGISTRY   (DIR and env from podman-up.sh; REGISTRY = 127.0.0.1:PORT)
set -euo pipefail
dir=${1:?usage: stand-in-images.sh DIR REGISTRY}
registry=${2:?usage: stand-in-images.sh DIR REGISTRY}
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
  CONTAINERS_REGISTRIES_CONF="$dir/registries.conf"
work="$dir/images"
rm -rf "$work" && mkdir -p "$work"

busybox_root() {
  local root=$1
  mkdir -p "$root/bin" "$root/www" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for tool in sh httpd echo cat head ls mkdir sleep env dirname kill; do ln -s busybox "$root/bin/$tool"; done
}

cat > "$work/stand-in.sh" <<'SCRIPT'
#!/bin/sh
# goblin test stand-in (not the real image): serves the health path on the port goblin probes.
name=$1 port=$2 path=$3
shift 3
echo "stand-in for $name (not the real image): args: $*"
for arg in "$@"; do
  case "$arg" in
    *=/etc/*) file=${arg#*=}; echo "config $file: $(head -n 1 "$file" 2>&1)" ;;
  esac
done
env | grep '^GF_' | sort
[ -d /etc/goblin/dashboards ] && echo "dashboards: $(ls /etc/goblin/dashboards | sort | tr '\n' ' ')"
[ -d /etc/grafana/provisioning/datasources ] && echo "datasources: $(ls /etc/grafana/provisioning/datasources)"
mkdir -p "/www$(dirname "$path")"
if [ "$path" = "/" ]; then echo ok > /www/index.html; else echo ok > "/www$path"; fi
echo "listening on :$port, health at $path"
# As PID 1 httpd would ignore SIGTERM; real services stop on it, so the stand-in does too.
httpd -f -v -p "$port" -h /www &
trap 'echo "stand-in for $name: SIGTERM, stopping"; kill $!; exit 0' TERM INT
wait
SCRIPT

build_stand_in() {
  local image=$1 service=$2 port=$3 path=$4
  local root="$work/$image"
  busybox_root "$root"
  cp "$work/stand-in.sh" "$root/stand-in.sh" && chmod +x "$root/stand-in.sh"
  tar -C "$root" -cf "$root.tar" .
  podman import --quiet --change "ENTRYPOINT [\"/stand-in.sh\", \"$service\", \"$port\", \"$path\"]" \
    "$root.tar" "$registry/goblin-test/$image:1" >/dev/null
}

build_stand_in stand-in-otel-collector otel-collector 13133 /
build_stand_in stand-in-tempo tempo 3200 /ready
build_stand_in stand-in-loki loki 3100 /ready
build_stand_in stand-in-grafana grafana 3000 /api/health

root="$work/stand-in-never-healthy"
busybox_root "$root"
tar -C "$root" -cf "$root.tar" .
podman import --quiet --change 'ENTRYPOINT ["/bin/sh", "-c", "echo stand-in that never turns healthy; trap \"exit 0\" TERM; sleep 3600 & wait"]' \
  "$root.tar" "$registry/goblin-test/stand-in-never-healthy:1" >/dev/null

root="$work/prometheus"
mkdir -p "$root/bin" "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/prometheus" "$root/etc/prometheus" "$root/tmp"
cp /usr/bin/prometheus "$root/bin/prometheus"
for lib in $(ldd /usr/bin/prometheus | grep -o '/lib[^ ]*'); do mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"; done
tar -C "$root" -cf "$root.tar" .
podman import --quiet --change 'ENTRYPOINT ["/bin/prometheus"]' "$root.tar" "$registry/goblin-test/prometheus:debian" >/dev/null

for image in stand-in-otel-collector:1 stand-in-tempo:1 stand-in-loki:1 stand-in-grafana:1 stand-in-never-healthy:1 prometheus:debian; do
  podman push --quiet --tls-verify=false "$registry/goblin-test/$image" >/dev/null
  podman rmi --force "$registry/goblin-test/$image" >/dev/null
done
rm -rf "$work"
echo "pushed to $registry/goblin-test: stand-in-otel-collector:1 stand-in-tempo:1 stand-in-loki:1 stand-in-grafana:1 stand-in-never-healthy:1 prometheus:debian"
