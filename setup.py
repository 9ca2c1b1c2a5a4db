# Metadata lives in pyproject.toml (flit); this shim serves tools that still call setup.py.
from setuptools import find_packages, setup

setup(name="customer_portal", packages=find_packages(include=["customer_portal", "customer_portal.*"]))
