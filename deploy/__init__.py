"""Deployment: deploy/cluster.py (nginx in front of gunicorn replicas), gunicorn and nginx settings.

A package so that tests and benchmarks can ``from deploy import cluster``; ``python deploy/cluster.py`` runs it.
"""
