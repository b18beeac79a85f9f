"""Pages anyone can see without signing in."""
