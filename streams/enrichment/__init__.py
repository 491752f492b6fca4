"""Enrichment: one pure step per module (language, sentiment, intent, topics, brand_query,
promo, duplicates), composed by :class:`streams.enrichment.enricher.Enricher`."""
