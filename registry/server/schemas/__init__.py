"""Request and response documents of the API (pydantic), one module per resource.

Response models list exactly the keys the library returns, so the API answers with the same
documents the CLI prints with ``--format json``; bodies are validated here for shape and
again by the library for meaning.
"""
