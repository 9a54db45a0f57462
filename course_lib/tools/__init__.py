"""Maintenance tools: student copies, benchmark, grading, README table, notebook setup cells (run through course.py or the Makefile)."""
