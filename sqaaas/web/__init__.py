"""The web service: pipeline composer, assessment pages and the REST API (``sqaaas serve``).

Pages and the API are thin shells over the same functions the CLI uses, so a pipeline or a
report produced here equals the CLI's. Templates and static files live in the top-level web/.
"""
