#!/bin/bash
# The riscv64 guest's interactive shell on the console (UART receive
# interrupts through the PLIC): wait for the prompt, type a command, check
# its output, leave the shell with `exit 3` and expect vmm to exit with 3.
# Usage: run-linux-shell.sh VMM IMAGES [VMM ARGS...]; SKIP (77) without images.
set -u
vmm=$1 images=$2
shift 2
kernel=$images/riscv64/Image initrd=$images/riscv64/initrd.img
for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "SKIP: $f missing (run tools/mkimages riscv64)"; exit 77; }
done
dir=$(mktemp -d)
log=$dir/log fifo=$dir/in
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
mkfifo "$fifo"
"$vmm" --arch riscv64 --kernel "$kernel" --initrd "$initrd" --console stdio \
	--cmdline "console=ttyS0 quiet" "$@" <"$fifo" >"$log" 2>&1 &
pid=$!
exec 3>"$fifo"

# wait_for SECONDS TEXT: until TEXT is in the log; fails if vmm exits first.
wait_for() {
	local end=$((SECONDS + $1))
	while ! grep -qF -- "$2" "$log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "FAIL: vmm exited before '$2'"; exit 1; }
		[ $SECONDS -ge $end ] && { cat "$log"; echo "FAIL: no '$2' after $1 s"; exit 1; }
		sleep 0.2
	done
}

wait_for 240 'vmm:/# '
printf 'echo hi-$((6*7))\n' >&3
wait_for 60 'hi-42'
printf 'exit 3\n' >&3
wait "$pid"
rc=$?
pid=
cat "$log"
[ "$rc" -eq 3 ] || { echo "FAIL: exit status $rc, expected 3"; exit 1; }
echo PASS
