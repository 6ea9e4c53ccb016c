"""Regenerate ``flashproxy_async/_generated`` from the vendored ``openapi.json``.

Run ``python -m codegen`` to regenerate, ``python -m codegen --check`` to verify
that the committed models match the spec.
"""
