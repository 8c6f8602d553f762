"""Onboarding checks for services: the service baseline (SvcQC.*) against a live endpoint,
its resource profile, its OpenAPI document and its deployment repository."""
