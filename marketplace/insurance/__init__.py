"""Collective insurance schemes: one council-negotiated policy, priced lower the more enterprises join."""
