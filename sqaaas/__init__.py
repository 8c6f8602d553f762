"""sqaaas: quality assurance for research software and services against the EOSC baselines."""

__version__ = "0.1.0"
