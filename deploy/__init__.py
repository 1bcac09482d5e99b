"""Deployment material: provisioning of the test servers, Prometheus and Grafana configuration.

Only :mod:`deploy.provision` is Python; it stands alone (it imports nothing of the platform).
"""
