"""The ``passaparola`` command and what only commands use: the CLI, the demo, the local stack,
benchmarks, offline evaluation and training. No worker imports this package."""

__version__ = "0.1.0"
