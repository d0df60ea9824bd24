"""Prefect flows and the ``sverka`` command line; thin wrappers around :mod:`checks`."""
