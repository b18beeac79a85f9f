"""Platform administration: approvals, audit log, areas."""
