"""Performance figures and long fault runs (`make bench`, `make soak`)."""
