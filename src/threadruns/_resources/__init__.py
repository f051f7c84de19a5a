"""API resources: ``client.runs`` and ``client.runs.steps``."""
