#!/usr/bin/env bash
# Refreshes the vendored uPlot files from npm at the version package.json pins; commit what changes.
# Needs npm; building Serve does not.
set -euo pipefail
cd "$(dirname "$0")"
version=$(node -p "require('./package.json').dependencies.uplot")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "uplot@$version" --silent >/dev/null && tar xzf uplot-*.tgz)
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" .
cp "$work/package/LICENSE" uPlot.LICENSE
echo "uPlot $version vendored into $(pwd)"
