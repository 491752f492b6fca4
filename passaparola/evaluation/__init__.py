"""Offline measurement of the signals on labelled data (``../shared``, never shipped):
sentiment, intent, and the spike detector backtested on real series."""
