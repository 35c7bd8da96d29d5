"""Pytest plugin that starts throwaway PostgreSQL and Redis servers (being written)."""
