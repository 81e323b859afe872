#!/bin/bash
# KVM guest tests through the vmm binary: boot a tiny bzImage test guest and
# check the exit code and console output. Usage: run-vmm.sh VMM GUESTDIR CASE
# Exit 77 (meson: SKIP) where /dev/kvm is missing or unusable.
set -u
vmm=$1 dir=$2 case=$3
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# The sanitizer runtime's leak check at exit would trip the seccomp filter.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

skip_unless_kvm() {
	if [ ! -e /dev/kvm ]; then echo "SKIP: /dev/kvm does not exist"; exit 77; fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo "SKIP: no permission on /dev/kvm"; exit 77; fi
}

# run EXPECTED_STATUS [vmm args...] < stdin
run() {
	local want=$1; shift
	timeout 60 "$vmm" --console stdio "$@" >"$out" 2>"$err"
	local st=$?
	if [ $st -eq 125 ] && grep -q "KVM is not usable" "$err"; then
		echo "SKIP: $(grep 'KVM is not usable' "$err")"; exit 77
	fi
	if [ $st -ne "$want" ]; then
		echo "FAIL: vmm $* exited $st, want $want"; echo "--- stdout"; cat "$out"
		echo "--- stderr"; cat "$err"; exit 1
	fi
}

expect_out() { grep -qF -- "$1" "$out" || { echo "FAIL: stdout lacks '$1'"; cat "$out"; exit 1; }; }
expect_err() { grep -qF -- "$1" "$err" || { echo "FAIL: stderr lacks '$1'"; cat "$err"; exit 1; }; }

skip_unless_kvm
case $case in
uart)
	printf 'ping\n' | run 42 --kernel "$dir/guest_uart.bin"
	expect_out "hello from the guest"
	expect_out "echo: ping|"
	;;
post)
	# Port 0x80 (POST codes; Linux's outb_p delays) and an exit status of 0.
	run 0 --kernel "$dir/guest_bench.bin" </dev/null
	expect_out "!"
	;;
portsweep)
	# (The sweep also programs the UART into loopback: no console output is expected.)
	run 0 --kernel "$dir/guest_portsweep.bin" --rng </dev/null
	expect_err "guest error"
	;;
poweroff)
	run 0 --kernel "$dir/guest_poweroff.bin" </dev/null
	expect_out "powering off"
	;;
reset-i8042)
	run 0 --kernel "$dir/guest_reset.bin" --cmdline "kbd" </dev/null
	expect_out "resetting"
	;;
reset-acpi)
	run 0 --kernel "$dir/guest_reset.bin" --cmdline "acpi" </dev/null
	expect_out "resetting"
	;;
crash)
	run 126 --kernel "$dir/guest_crash.bin" </dev/null
	expect_out "crashing"
	expect_err "triple fault"
	expect_err "rip="
	;;
signals)
	# guest_smp on one vCPU spins forever waiting for an AP: only a signal ends
	# it. With devices (their I/O thread) too: the process must exit through
	# its orderly shutdown with 128 + the signal, not be killed by it (python
	# tells the two apart: a negative returncode means killed).
	img=$(mktemp); trap 'rm -f "$out" "$err" "$img"' EXIT
	head -c $((1 << 20)) /dev/zero >"$img"
	for devs in "" "--drive file=$img --rng"; do
		for sig in INT:130 TERM:143 HUP:129; do
			# shellcheck disable=SC2086 # $devs is a word list
			st=$(python3 -c '
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=open(sys.argv[2], "w"))
sig = getattr(signal, "SIG" + sys.argv[1])
try:
    # Signal once vmm blocks it (from machine_init on: SigBlk of its main
    # thread); before that the default action would rightly kill it.
    for _ in range(400):
        try:
            with open("/proc/%d/status" % p.pid) as f:
                blk = [l for l in f if l.startswith("SigBlk:")]
        except OSError:
            break
        if blk and (int(blk[0].split()[1], 16) >> (sig - 1)) & 1:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # and the guest runs
    p.send_signal(sig)
    print(p.wait(timeout=20))
finally:
    if p.poll() is None:  # never leave a spinning guest behind
        p.kill()
        print("still running 20 s after the signal")' "${sig%%:*}" "$err" "$vmm" --kernel "$dir/guest_smp.bin" \
				--console none $devs 2>&1 | tail -1)
			[ "$st" = "${sig##*:}" ] || {
				echo "FAIL: SIG${sig%%:*} ${devs:+with devices }gave '$st', want exit ${sig##*:}"
				cat "$err"; exit 1; }
		done
	done
	;;
reboot-restart)
	# A guest that resets at once, restarted each time: several boots, then SIGTERM.
	"$vmm" --kernel "$dir/guest_reset.bin" --cmdline kbd --on-reboot restart --console stdio \
		</dev/null >"$out" 2>"$err" &
	pid=$!
	for _ in $(seq 50); do [ "$(grep -c resetting "$out")" -ge 3 ] && break; sleep 0.1; done
	kill -TERM $pid; wait $pid; st=$?
	n=$(grep -c resetting "$out")
	[ "$n" -ge 3 ] || { echo "FAIL: only $n boots with --on-reboot restart"; cat "$err"; exit 1; }
	[ $st -eq 143 ] || { echo "FAIL: exit $st after SIGTERM, want 143"; cat "$err"; exit 1; }
	# A signal that lands while a reset is being handled must still end vmm
	# (it was once read and dropped, and vmm restarted forever): signal at
	# scattered moments of the restart loop. The bound is generous: a signal
	# that arrives while the host is in KVM_SET_USER_MEMORY_REGION waits for
	# it, and under load this host's nested KVM took more than 5 s there.
	for i in $(seq 40); do
		"$vmm" --kernel "$dir/guest_reset.bin" --cmdline kbd --on-reboot restart \
			--console none </dev/null >/dev/null 2>"$err" &
		pid=$!
		sleep "0.0$((i % 10))"
		kill -TERM $pid
		for _ in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
		if kill -0 $pid 2>/dev/null; then
			kill -KILL $pid; wait $pid
			echo "FAIL: vmm still running 30 s after SIGTERM (run $i)"; cat "$err"; exit 1
		fi
		wait $pid; st=$?
		[ $st -eq 143 ] || { echo "FAIL: exit $st after SIGTERM (run $i), want 143"; cat "$err"; exit 1; }
	done
	;;
virtio|virtio-ro)
	# A disk whose sector 2 holds 0xa5 bytes; the guest writes sector 1
	# (pattern i*7+3), flushes, reads sector 2, asks the serial, and reads
	# entropy, all through ioeventfd/irqfd.
	img=$(mktemp); trap 'rm -f "$out" "$err" "$img"' EXIT
	head -c $((1 << 20)) /dev/zero >"$img"
	printf '\245%.0s' $(seq 512) | dd of="$img" bs=512 seek=2 conv=notrunc status=none
	before=$(sha256sum <"$img")
	ro=; cmd=rw
	[ "$case" = virtio-ro ] && { ro=,ro=on; cmd=ro; }
	run 0 --kernel "$dir/guest_virtio.bin" --cmdline "$cmd" \
		--drive "file=$img,serial=vmmtest$ro" --rng </dev/null
	expect_out "virtio guest: blk ok"
	expect_out "virtio guest: rng ok"
	if [ -z "$ro" ]; then
		want=$(python3 -c 'import sys; sys.stdout.buffer.write(bytes((i*7+3)&255 for i in range(512)))' | sha256sum)
		got=$(dd if="$img" bs=512 skip=1 count=1 status=none | sha256sum)
		[ "$got" = "$want" ] || { echo "FAIL: sector 1 of the image does not hold the guest's write"; exit 1; }
	else
		[ "$(sha256sum <"$img")" = "$before" ] || { echo "FAIL: a read-only drive's file changed"; exit 1; }
	fi
	;;
virtio-errors)
	img=$(mktemp); trap 'rm -f "$out" "$err" "$img"' EXIT
	head -c 1000 /dev/zero >"$img"
	run 125 --kernel "$dir/guest_virtio.bin" --drive "file=$img"
	expect_err "multiple of 512"
	run 125 --kernel "$dir/guest_virtio.bin" --drive "file=/nonexistent/disk.img"
	expect_err "disk.img"
	run 125 --kernel "$dir/guest_virtio.bin" --drive "path=$img"
	expect_err "--drive"
	head -c 4096 /dev/zero >"$img"
	# A second vmm on the same image is refused (advisory lock).
	"$vmm" --kernel "$dir/guest_smp.bin" --console none --drive "file=$img" </dev/null 2>/dev/null &
	holder=$!
	sleep 0.5
	run 125 --kernel "$dir/guest_virtio.bin" --drive "file=$img"
	kill -TERM $holder; wait $holder
	expect_err "lock"
	;;
closed-stdout)
	# The console's reader goes away: the guest keeps running and its exit status still arrives.
	printf 'ping\n' | "$vmm" --kernel "$dir/guest_uart.bin" 2>"$err" | head -c 1 >/dev/null
	st=${PIPESTATUS[1]}
	[ "$st" -eq 42 ] || { echo "FAIL: exit $st with a closed stdout, want 42"; cat "$err"; exit 1; }
	;;
seccomp-log)
	run 0 --kernel "$dir/guest_poweroff.bin" --seccomp=log </dev/null
	;;
*)
	echo "unknown case $case"; exit 2
	;;
esac
echo "PASS: $case"
