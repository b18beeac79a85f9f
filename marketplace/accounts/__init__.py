"""People: accounts, sign-in, sessions, password reset and profiles."""
