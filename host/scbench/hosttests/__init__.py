"""Tests that run on the host, by `check`, before any kernel is built."""
