"""UK GDPR rights: a person downloads everything held about them, closes their account; the retention schedule."""
