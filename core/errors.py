"""Failures whose message is written for the user: commands print it instead of a traceback."""


class PassaparolaError(RuntimeError):
    """Base of errors that say what went wrong and what to do."""
