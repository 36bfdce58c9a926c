"""Tests of host programs of ours, run by `check` before any boot."""
