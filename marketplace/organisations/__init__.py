"""Councils, NHS bodies and enterprises, their members and invitations, and the areas they serve."""
