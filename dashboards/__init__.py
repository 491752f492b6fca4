"""Grafana dashboards, datasource and alert rules as code; provisioning files under provisioning/."""
