"""Passaparola core: settings, the Mention schema, topics, logging, metrics, the local stack."""

__version__ = "0.1.0"
