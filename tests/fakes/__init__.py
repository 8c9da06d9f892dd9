"""Fake platform servers for end-to-end tests; they listen on 127.0.0.1 only."""
