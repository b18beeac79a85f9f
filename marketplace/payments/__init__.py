"""Payments: one record per money movement, invoice and Stripe providers, verified webhooks."""
