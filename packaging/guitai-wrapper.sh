#!/bin/sh
# /usr/bin/guitai: the technician's command on a store PC.  It works on the service's data
# folder (/var/lib/guitai) and, run as root (sudo), as the `guitai` user so every file it
# writes stays the till's.
: "${GUITAI_HOME:=/var/lib/guitai}"
export GUITAI_HOME
if [ "$(id -u)" = 0 ] && getent passwd guitai >/dev/null; then
    exec runuser -u guitai -- env GUITAI_HOME="$GUITAI_HOME" /opt/guitai/guitai "$@"
fi
exec /opt/guitai/guitai "$@"
