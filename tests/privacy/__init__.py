"""Tests of the privacy feature: data downloads, account closure and the retention schedule."""
