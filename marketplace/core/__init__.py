"""Shared plumbing used by every feature: time, database types, audit, permissions, mail, jobs."""
