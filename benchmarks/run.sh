#!/usr/bin/env bash
# Run every benchmark of the project (each prints its figures and ratios to the targets).
set -euo pipefail
cd "$(dirname "$0")/.."
python benchmarks/assess_speed.py "$@"
python benchmarks/static_tools.py --files 200
python benchmarks/web_load.py --rate 100 --duration 10
python benchmarks/scaleout.py --jobs 100 --rate 100 --duration 10
