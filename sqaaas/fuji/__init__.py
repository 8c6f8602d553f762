"""A client for an F-UJI server (pangaea-data-publisher/fuji) and the mapping of its answers.

settings: server URL and credentials (never from argv); client: ``POST /evaluate`` with
timeouts, bounded retries and one-line errors; results: the answer, validated; mapping: the
report's ``QC.FAIR.F-UJI`` section; run: evaluate a PID or a repository's public URL;
objectreport: the report of ``sqaaas fair``.
"""

FUJI_SECTION = "QC.FAIR.F-UJI"
DATA_METRICS = "metrics_v0.8"
