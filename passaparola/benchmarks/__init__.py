"""Every benchmark: the pipeline end to end, the sink, enrichment per step, sentiment speed,
the machine's limits, and the quix-streams peer they are compared with."""
