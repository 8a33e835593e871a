"""Sending: transport, reply classification, quota, rotation, templates, alerts."""
