"""FAIR assessment of software and data: offline indicators and an F-UJI client.

Two report sections come from here: ``QC.FAIR`` (indicators computed from the repository,
aligned with the FRSM metrics) and ``QC.FAIR.F-UJI`` (an F-UJI server's evaluation).
"""

OFFLINE_SECTION = "QC.FAIR"
FUJI_SECTION = "QC.FAIR.F-UJI"
SOFTWARE_METRICS = "metrics_v0.7_software"
DATA_METRICS = "metrics_v0.8"
