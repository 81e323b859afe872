#!/bin/sh
# expect-exit.sh CODE CMD...: run CMD, pass iff it exits with CODE; 77 from
# CMD (a skip) is passed through.
want=$1
shift
"$@"
rc=$?
[ "$rc" -eq 77 ] && exit 77
[ "$rc" -eq "$want" ] && exit 0
echo "exit status $rc, expected $want" >&2
exit 1
