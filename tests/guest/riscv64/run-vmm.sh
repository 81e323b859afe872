#!/bin/sh
# Run one test program through vmm ("$@" is the vmm command line); its exit
# status is the program's. A host without the native JIT backend, or without
# the firmware given to --bios, skips.
# shellcheck source=skip-no-bios.sh
. "$(dirname "$0")/skip-no-bios.sh"
skip_no_bios "$@"
err=$(mktemp) || exit 1
"$@" 2>"$err"
rc=$?
cat "$err" >&2
if [ "$rc" -ne 0 ] && grep -q "native JIT backend is not available" "$err"; then
	echo "SKIP: no native JIT backend on this host"
	rc=77
fi
rm -f "$err"
exit "$rc"
