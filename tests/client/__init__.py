"""Tests for the client core: transport, errors, retries, secrets."""
