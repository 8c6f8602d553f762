"""CI pipelines: one typed spec, rendered to Jenkins (JePL), GitHub Actions and GitLab CI."""
