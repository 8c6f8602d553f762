"""CI pipelines: one typed spec, rendered to Jenkins (JePL), GitHub Actions and GitLab CI."""

#: where `sqaaas pipeline init` writes the spec and `generate`/`run` look for it (kept here,
#: free of imports, so the CLI can name it without loading the spec model)
DEFAULT_SPEC_FILE = ".sqaaas-pipeline.yml"
