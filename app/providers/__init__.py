"""The creditors' provider API: one contract client (client.py), the sandbox (sandbox.py)."""
