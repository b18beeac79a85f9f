"""`make bench`: a large synthetic data set and a load test of key pages against a bare endpoint."""
