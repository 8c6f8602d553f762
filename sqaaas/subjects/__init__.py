"""The things sqaaas assesses, one module each: the single entry point that the CLI, the web
jobs and workers call to assess a repository or onboard a service."""
