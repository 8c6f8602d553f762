"""The assessment report: its model, JSON Schema and renderers."""
