"""Test helpers: builders of rows, real test servers and stores, and the few queries tests share.

Fixtures live in conftest.py files; everything a test imports lives here.
"""
