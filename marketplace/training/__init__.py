"""Training: courses, sessions, bookings, waiting lists, attendance, certificates and training records."""
