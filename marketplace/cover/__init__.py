"""Relief cover: relief workers now; pools, cover requests and shifts in later issues."""
