"""Maintenance tools: student copies, benchmark, README table (run through the Makefile)."""
