"""Facts about a live service (SvcQC.*): its landing page, TLS, OpenAPI contract, links,
metrics and resource profile, each computed once per onboarding through ``ctx.fact``."""
