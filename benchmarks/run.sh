#!/usr/bin/env bash
# Run every benchmark of the project; each prints its figures beside their targets.
# speed.py: issue 18's targets (unchanged commit, cold static criteria against the tools by
# hand, tests with coverage, start-up, this suite), on this repository and a generated
# 50k-line project, PASS/FAIL each (--quick leaves out the two that take minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
python benchmarks/speed.py "$@"
python benchmarks/assess_speed.py
python benchmarks/web_load.py --rate 100 --duration 10
python benchmarks/scaleout.py --jobs 100 --rate 100 --duration 10
