"""Spike alerts: a pure detector core (baseline, significance, decisions) that the Faust
agent wraps per brand and window size, and that also runs offline as a backtest."""
