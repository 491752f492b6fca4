"""Source connectors and the producer that writes their mentions to Kafka."""
