"""Agents: Claude Code subagent files, and the Claude review that runs them."""
