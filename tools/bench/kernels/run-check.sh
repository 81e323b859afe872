#!/bin/sh
# run-check.sh HOST_PROGRAM SCALE VMM_COMMAND...: runs one benchmark kernel on
# the host and in the guest; passes when both print the same checksum line. A
# host without vmm's native JIT backend skips (exit 77).
host=$1 scale=$2
shift 2
want=$("$host" "$scale") || { echo "FAIL: $host $scale exited with $?"; exit 1; }
err=$(mktemp) || exit 1
got=$("$@" </dev/null 2>"$err")
rc=$?
cat "$err" >&2
if [ "$rc" -ne 0 ] && grep -q "native JIT backend is not available" "$err"; then
	rm -f "$err"
	echo "SKIP: no native JIT backend on this host"
	exit 77
fi
rm -f "$err"
line=$(printf '%s\n' "$got" | grep '^bench ' | head -n 1)
echo "host:  $want"
echo "guest: $line (vmm exit status $rc)"
[ "$rc" -eq 0 ] && [ "$line" = "$want" ]
