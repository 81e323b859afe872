#!/bin/sh
# Boot the riscv64 guest image through the JIT and check one vmm.run= command.
# Usage: run-linux.sh VMM IMAGES WANT_STATUS WANT_TEXT RUN [VMM ARGS...]
#   RUN is the vmm.run= value (percent-encoded); the test passes iff vmm
#   exits with WANT_STATUS and (unless WANT_TEXT is empty) a line of the
#   console output is exactly WANT_TEXT, after the image's banner.
# SKIP (77) when the images are missing (tools/mkimages riscv64 builds them).
set -u
vmm=$1 images=$2 want=$3 text=$4 run=$5
shift 5
kernel=$images/riscv64/Image initrd=$images/riscv64/initrd.img
for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "SKIP: $f missing (run tools/mkimages riscv64)"; exit 77; }
done
# shellcheck source=skip-no-bios.sh
. "$(dirname "$0")/skip-no-bios.sh"
skip_no_bios "$@"
log=$(mktemp)
pid=
# Never leave vmm behind (stopped or running) when the runner is killed.
trap 'rm -f "$log"; [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null' EXIT
trap 'exit 143' TERM INT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
"$vmm" --arch riscv64 --kernel "$kernel" --initrd "$initrd" --console stdio \
	--cmdline "console=ttyS0 quiet vmm.run=$run" "$@" >"$log" 2>&1 &
pid=$!
# STOPCONT=1: stop and continue vmm again and again while it runs (a timed
# wait resumed after SIGCONT goes through restart_syscall: seccomp must allow it).
if [ "${STOPCONT:-0}" = 1 ]; then
	while kill -STOP $pid 2>/dev/null; do
		sleep 0.05; kill -CONT $pid 2>/dev/null; sleep 0.2
	done
fi
wait $pid
rc=$?
pid=
cat "$log"
tr -d '\r' <"$log" >"$log.n" && mv "$log.n" "$log"
grep -q "^vmm guest: Linux .* riscv64, [0-9]* CPUs" "$log" ||
	{ echo "FAIL: no banner"; exit 1; }
if [ -n "$text" ] && ! grep -qx -- "$text" "$log"; then
	echo "FAIL: no line '$text' in the output"
	exit 1
fi
[ "$rc" -eq "$want" ] || { echo "FAIL: exit status $rc, expected $want"; exit 1; }
echo "PASS"
