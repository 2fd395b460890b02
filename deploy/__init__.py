"""Deployment: the server (serve.py), the one-machine cluster (cluster.py: supervisord + nginx),
the rolling publish and cache purge (publish.py), nginx and systemd artefacts."""
