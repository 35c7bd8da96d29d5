#!/bin/sh
# GIT_ASKPASS for Reviewdeck: answers git's user name / password prompts from variables
# that only the git process sees (the token never appears in a URL or on a command line).
case "$1" in
  Username*) printf '%s\n' "$REVIEWDECK_GIT_USERNAME" ;;
  *) printf '%s\n' "$REVIEWDECK_GIT_PASSWORD" ;;
esac
