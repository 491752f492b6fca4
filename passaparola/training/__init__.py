"""Offline training of the shipped models (run by developers, never by a worker)."""
