"""Faust stream processors: enrichment, reply tracking, spike alerts."""
