#!/bin/sh
# A connection for git:// (core.gitProxy) and ssh (ProxyCommand) to the one address the
# outbound policy checked: git passes "host port"; relay.py connects and copies bytes.
exec "$REVIEWDECK_RELAY_PYTHON" -I "$REVIEWDECK_RELAY_SCRIPT" "$@"
