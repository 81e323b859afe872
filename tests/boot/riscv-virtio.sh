#!/bin/sh
# End-to-end virtio under the JIT: the Debian riscv64 kernel and busybox
# initramfs (images/riscv64, from tools/mkimages riscv64) boot on the
# riscv64-virt machine with virtio-mmio devices; /init loads virtio_mmio and
# the drivers as modules; a vmm.run= command exercises a device and prints
# RESULT lines that this script checks against what the host sees.
#
# Usage: riscv-virtio.sh VMM IMAGES MODE
#   blk-write  the guest writes `yes` patterns to /dev/vda (at 0 and 8 MiB)
#              with fsync; the host checks every byte of the 16 MiB image
#   blk-read   the host fills the image with random bytes; the guest's md5sum
#              of the first 12 MiB, of the whole disk and of a 40 KiB range
#              at an odd block offset must equal the host's
#   ro         ro=on: the disk is read-only to the guest, a dd to it fails,
#              reads still work, the file's md5sum is unchanged
#   discard    blkdiscard of [4 MiB, 8 MiB) on a random-filled image: the
#              host sees a hole there (SEEK_HOLE/SEEK_DATA), the guest reads
#              zeroes there, the rest of the file is unchanged
#   exec       an ext4 image made by mke2fs -d with the guest's busybox and
#              a data file: the guest loads ext4 (modprobe), mounts it, runs
#              that busybox from the disk, gzips the data onto the disk and
#              unmounts; the host runs e2fsck -fn and reads the .gz back
#   lock       a second vmm given the image of a running one (as a writable
#              drive) is refused: exit 125 and a message about the lock
#   multi      --cpus 2, two drives and --rng (three slots, PLIC sources
#              1..3, two request queues per drive): the guest copies vda
#              to vdb with dd; the host compares the two images and the
#              guest's /proc/interrupts names virtio0..2
#   reboot     --on-reboot restart: the first boot writes "boot" to vda and
#              reboots; the machine is torn down (devices drained, image
#              unlocked) and rebuilt, and the second boot reads "boot" back
#   rng        --rng: 64 bytes from /dev/hwrng (served by virtio_rng), not
#              all zero
#   net        a network namespace with a TAP (10.0.2.1/24, inside the
#              namespace only); the guest takes 10.0.2.15, pings 10.0.2.1 and
#              sends `seq 1 200000` with busybox nc to a python3 listener;
#              the received bytes' md5sum must equal `seq 1 200000 | md5sum`
#   workload   issue 4's in-guest workload: the guest generates 4 MiB with an
#              awk LCG (x = (69069 x + 1) mod 2^31, one "%08x" line each,
#              seed 12345), prints its md5sum and gzips it; the gzip output
#              goes to /dev/vda. The host generates the same bytes in
#              python3 and compares the md5sum; it reads the guest's .gz
#              back from the image, checks its md5sum and size and that the
#              HOST's gzip decompresses it to the same bytes. Byte equality
#              of the compressed output with a host compressor is not asked:
#              the guest's busybox (1.37) and the host's gzip/busybox are
#              different deflate implementations or versions, and the gzip
#              format does not fix the compressed bytes. The guest also
#              decompresses its own output (round trip).
#
# Exit 77 (SKIP) with the reason when the images, python3 or (net) root,
# network namespaces or /dev/net/tun are missing. On failure the vmm output
# and the tail of the guest console are printed.
set -u
vmm=$1 images=$2 mode=$3
kernel=$images/riscv64/Image initrd=$images/riscv64/initrd.img
MiB=1048576

skip() {
	echo "SKIP: $*"
	exit 77
}

for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || skip "$f missing (run tools/mkimages riscv64)"
done
command -v python3 >/dev/null 2>&1 || skip "python3 is needed for the host-side checks"

work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-riscv-virtio.XXXXXX") || exit 1
log=$work/console.log out=$work/vmm.out img=$work/disk.img
ns='' listener='' vmm_pid=''
cleanup() {
	[ -z "$vmm_pid" ] || kill "$vmm_pid" 2>/dev/null
	[ -z "$listener" ] || kill "$listener" 2>/dev/null
	[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

fail() {
	echo "FAIL ($mode): $*"
	echo "--- vmm output"
	tail -n 20 "$out" 2>/dev/null
	echo "--- guest console (tail)"
	tail -n 40 "$log" 2>/dev/null
	exit 1
}

# boot RUN [VMM ARGS...]: boot with vmm.run="RUN" and set $rc. RUN must
# not contain a double quote (/init takes a quoted value literally, the
# kernel ends it at the next quote); its newlines become spaces, because
# /init reads the command line as one line. $wrap (e.g. "ip netns exec NS")
# runs vmm in another context.
wrap=''
boot() {
	boot_start "$@"
	boot_wait
}

# boot_start RUN [VMM ARGS...]: start vmm in the background ($vmm_pid).
boot_start() {
	run=$(printf '%s' "$1" | tr '\n' ' ')
	shift
	rm -f "$log"
	$wrap "$vmm" --arch riscv64 --kernel "$kernel" --initrd "$initrd" \
		--console "file:$log" --cmdline "console=ttyS0 quiet vmm.run=\"$run\"" \
		"$@" >"$out" 2>&1 &
	vmm_pid=$!
}

# boot_wait: wait for vmm, set $rc, normalize the log, check the banner.
boot_wait() {
	wait "$vmm_pid"
	rc=$?
	vmm_pid=''
	[ -f "$log" ] || fail "no console log"
	tr -d '\r' <"$log" >"$log.n" && mv "$log.n" "$log"
	grep -q "^vmm guest: Linux .* riscv64, [0-9]* CPUs" "$log" || fail "no banner"
	# A sanitizer build reports without changing the exit status.
	! grep -q -e "runtime error:" -e "Sanitizer" "$out" || fail "sanitizer report"
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "vmm exit status $rc, expected $1"
}

# result KEY: the value of the guest's last "KEY value" line.
result() {
	sed -n "s/^$1 //p" "$log" | tail -n 1
}

expect_result() {
	v=$(result "$1")
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}

md5() {
	md5sum | cut -c1-32
}

# random_image: 16 MiB of random bytes in $img.
random_image() {
	head -c $((16 * MiB)) /dev/urandom >"$img" || fail "cannot write $img"
}

mode_blk_write() {
	truncate -s $((16 * MiB)) "$img"
	boot "yes vmmtest | head -c $MiB | dd of=/dev/vda bs=4096 conv=fsync 2>/dev/null &&
yes tail | head -c 4096 | dd of=/dev/vda bs=4096 seek=2048 conv=fsync 2>/dev/null &&
sync && echo RESULT written" --drive "file=$img"
	expect_rc 0
	expect_result RESULT written
	yes vmmtest | head -c $MiB >"$work/want"
	head -c $MiB "$img" | cmp -s - "$work/want" || fail "the image's first MiB is not the pattern"
	yes tail | head -c 4096 >"$work/want"
	dd if="$img" bs=4096 skip=2048 count=1 2>/dev/null | cmp -s - "$work/want" ||
		fail "the image's block at 8 MiB is not the pattern"
	nz=$( (dd if="$img" bs=4096 skip=256 count=1792 2>/dev/null
		dd if="$img" bs=4096 skip=2049 2>/dev/null) | tr -d '\0' | wc -c)
	[ "$nz" -eq 0 ] || fail "$nz non-zero bytes outside the written ranges"
	[ "$(stat -c %s "$img")" -eq $((16 * MiB)) ] || fail "the image changed size"
}

mode_blk_read() {
	random_image
	boot "echo PART \$(head -c $((12 * MiB)) /dev/vda | md5sum | cut -c1-32);
echo WHOLE \$(md5sum </dev/vda | cut -c1-32);
echo RANGE \$(dd if=/dev/vda bs=4096 skip=1001 count=10 2>/dev/null | md5sum | cut -c1-32)" \
		--drive "file=$img"
	expect_rc 0
	expect_result PART "$(head -c $((12 * MiB)) "$img" | md5)"
	expect_result WHOLE "$(md5 <"$img")"
	expect_result RANGE "$(dd if="$img" bs=4096 skip=1001 count=10 2>/dev/null | md5)"
}

mode_ro() {
	random_image
	before=$(md5 <"$img")
	boot "echo RO \$(cat /sys/block/vda/ro);
yes x | head -c 65536 | dd of=/dev/vda bs=4096 conv=fsync 2>/dev/null; echo DD \$?;
echo READ \$(head -c $MiB /dev/vda | md5sum | cut -c1-32)" --drive "file=$img,ro=on"
	expect_rc 0
	expect_result RO 1
	dd_rc=$(result DD)
	case $dd_rc in
	'' | 0) fail "dd to the read-only disk exited '$dd_rc', expected non-zero" ;;
	esac
	expect_result READ "$(head -c $MiB "$img" | md5)"
	[ "$(md5 <"$img")" = "$before" ] || fail "the read-only image's contents changed"
}

# holes IMG OFF LEN: "ok" when [OFF, OFF+LEN) is a hole and data follows it.
holes() {
	python3 - "$@" <<'EOF'
import os, sys
path, off, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fd = os.open(path, os.O_RDONLY)
hole = os.lseek(fd, off, os.SEEK_HOLE)
data = os.lseek(fd, off, os.SEEK_DATA)
print("ok" if hole == off and data == off + length else "hole at %d, data at %d" % (hole, data))
EOF
}

mode_discard() {
	random_image
	head -c $((4 * MiB)) "$img" | md5 >"$work/head"
	tail -c $((8 * MiB)) "$img" | md5 >"$work/tail"
	boot "echo MAX \$(cat /sys/block/vda/queue/discard_max_bytes);
blkdiscard -o $((4 * MiB)) -l $((4 * MiB)) /dev/vda; echo DISCARD \$?; sync;
echo NONZERO \$(dd if=/dev/vda bs=$MiB skip=4 count=4 2>/dev/null | tr -d '\\000' | wc -c)" \
		--drive "file=$img"
	expect_rc 0
	max=$(result MAX)
	[ "${max:-0}" -gt 0 ] || fail "the guest sees no discard support (discard_max_bytes '$max')"
	expect_result DISCARD 0
	expect_result NONZERO 0
	h=$(holes "$img" $((4 * MiB)) $((4 * MiB)))
	[ "$h" = ok ] || fail "no hole at [4 MiB, 8 MiB) in the image: $h"
	[ "$(head -c $((4 * MiB)) "$img" | md5)" = "$(cat "$work/head")" ] ||
		fail "the first 4 MiB changed"
	[ "$(tail -c $((8 * MiB)) "$img" | md5)" = "$(cat "$work/tail")" ] ||
		fail "the last 8 MiB changed"
}

# A filesystem on the disk: the guest mounts ext4 (modules from the image),
# runs a busybox binary that virtio-blk brought into guest RAM, writes a
# file through the filesystem and unmounts; the host checks the tree with
# e2fsck and reads the file back with debugfs.
mode_exec() {
	for t in mke2fs e2fsck debugfs cpio; do
		command -v $t >/dev/null 2>&1 || skip "exec needs $t (e2fsprogs, cpio)"
	done
	mkdir "$work/root" "$work/x"
	gzip -dc "$initrd" | (cd "$work/x" && cpio -i --quiet -d '*bin/busybox') ||
		skip "cannot extract busybox from $initrd (not a gzip cpio archive?)"
	mv "$work/x/bin/busybox" "$work/root/busybox" || fail "no bin/busybox in $initrd"
	seq 1 50000 >"$work/root/data"
	truncate -s $((32 * MiB)) "$img"
	mke2fs -q -t ext4 -d "$work/root" "$img" || fail "mke2fs"
	boot "modprobe ext4 && mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo MOUNT ok;
/mnt/busybox echo EXEC ok;
echo SELF \$(/mnt/busybox md5sum </mnt/busybox | cut -c1-32);
echo DATA \$(md5sum </mnt/data | cut -c1-32);
gzip -c /mnt/data >/mnt/data.gz && umount /mnt && echo UMOUNT ok" --drive "file=$img"
	expect_rc 0
	expect_result MOUNT ok
	expect_result EXEC ok
	expect_result SELF "$(md5 <"$work/root/busybox")"
	expect_result DATA "$(md5 <"$work/root/data")"
	expect_result UMOUNT ok
	e2fsck -fn "$img" >"$work/fsck" 2>&1 || {
		cat "$work/fsck"
		fail "e2fsck finds errors in the guest's filesystem"
	}
	debugfs -R "cat /data.gz" "$img" 2>/dev/null >"$work/data.gz"
	[ "$(gzip -dc <"$work/data.gz" | md5)" = "$(md5 <"$work/root/data")" ] ||
		fail "the guest's data.gz does not decompress to the data"
}

# Two vmm on one image: while the first runs (its guest waits for "go" in
# its second disk, read with O_DIRECT so the host's write is seen), a second
# vmm with the same image as a writable drive is refused with exit 125 and
# a message naming the lock; then the host writes "go" and the first ends.
mode_lock() {
	truncate -s $((16 * MiB)) "$img" "$work/go.img"
	boot_start "until [ \$(dd if=/dev/vdb bs=512 count=1 iflag=direct 2>/dev/null | head -c 2) = go ];
do sleep 1; done; echo FIRST ok" --drive "file=$img" --drive "file=$work/go.img"
	n=0
	until grep -q "^vmm guest: Linux" "$log" 2>/dev/null; do
		kill -0 "$vmm_pid" 2>/dev/null || break
		n=$((n + 1))
		[ $n -lt 3000 ] || break
		sleep 0.1
	done
	kill -0 "$vmm_pid" 2>/dev/null || {
		boot_wait
		fail "the first vmm ended early (exit $rc)"
	}
	# vmm.run=true: should the lock fail to hold, this one ends by itself.
	"$vmm" --arch riscv64 --kernel "$kernel" --initrd "$initrd" --console "file:$work/second.log" \
		--cmdline "console=ttyS0 quiet vmm.run=true" --drive "file=$img" >"$work/second.out" 2>&1
	second=$?
	printf go | dd of="$work/go.img" conv=notrunc 2>/dev/null
	boot_wait
	expect_rc 0
	expect_result FIRST ok
	[ "$second" -eq 125 ] || {
		cat "$work/second.out"
		fail "the second vmm on a locked image exited $second, expected 125"
	}
	grep -qi "lock" "$work/second.out" || {
		cat "$work/second.out"
		fail "the second vmm's message does not mention the lock"
	}
}

mode_multi() {
	random_image
	truncate -s $((16 * MiB)) "$work/disk2.img"
	boot "echo CPUS \$(nproc);
echo IRQS \$(grep -c 'virtio[0-2]\$' /proc/interrupts);
echo QUEUES \$(ls /sys/block/vda/mq | wc -l);
dd if=/dev/vda of=/dev/vdb bs=65536 conv=fsync 2>/dev/null; echo COPY \$?;
echo RNG \$(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \\n')" \
		--cpus 2 --drive "file=$img" --drive "file=$work/disk2.img" --rng
	expect_rc 0
	expect_result CPUS 2
	expect_result IRQS 3
	expect_result QUEUES 2
	expect_result COPY 0
	r=$(result RNG)
	[ ${#r} -eq 32 ] || fail "expected 16 bytes from /dev/hwrng, got '$r'"
	cmp -s "$img" "$work/disk2.img" || fail "vdb is not a copy of vda"
}

mode_reboot() {
	truncate -s $((16 * MiB)) "$img"
	boot "if [ \$(head -c 4 /dev/vda) = boot ]; then echo AGAIN ok; exit 0; fi;
echo boot | dd of=/dev/vda conv=fsync 2>/dev/null && reboot -f; echo NOREBOOT" \
		--on-reboot restart --drive "file=$img"
	expect_rc 0
	expect_result AGAIN ok
	[ "$(head -c 5 "$img")" = "boot" ] || fail "the image does not start with 'boot'"
}

mode_rng() {
	boot "echo CURRENT \$(cat /sys/class/misc/hw_random/rng_current);
echo RNG \$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \\n')" --rng
	expect_rc 0
	case $(result CURRENT) in
	virtio_rng*) ;;
	*) fail "the guest's hwrng is '$(result CURRENT)', not virtio_rng" ;;
	esac
	r=$(result RNG)
	[ ${#r} -eq 128 ] || fail "expected 64 bytes from /dev/hwrng, got '$r'"
	case $r in
	*[!0]*) ;;
	*) fail "64 zero bytes from /dev/hwrng" ;;
	esac
}

# listen PORT MAX FILE: in $wrap, accept one connection on 10.0.2.1:PORT
# and store at most MAX bytes (the expected size: then it closes, whatever
# the client's nc does at the end of its input).
listen() {
	$wrap python3 - "$@" <<'EOF' &
import socket, sys
port, limit, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.2.1", port))
s.listen(1)
open(path + ".ready", "w").close()
s.settimeout(900)
c, _ = s.accept()
c.settimeout(300)
buf = bytearray()
while len(buf) < limit:
    d = c.recv(65536)
    if not d:
        break
    buf += d
c.close()
with open(path, "wb") as f:
    f.write(buf)
EOF
	listener=$!
}

# release: in $wrap, connect to the guest's 10.0.2.15:5556 (retrying while
# the guest gets there) and close, which ends the guest's `nc -l`.
release() {
	$wrap python3 - <<'EOF'
import socket, time
for _ in range(600):
    try:
        socket.create_connection(("10.0.2.15", 5556), timeout=10).close()
        break
    except OSError:
        time.sleep(0.5)
EOF
}

# The host pings the guest (the echo is answered by the guest kernel, rx
# then tx through virtio-net), and the guest sends a file to the host. The
# guest does not run ping itself: busybox ping reads the clock through the
# vDSO (rdtime in U-mode), which traps with SIGILL until vmm's direct S-mode
# boot leaves scounteren.TM set as OpenSBI does.
mode_net() {
	[ "$(id -u)" -eq 0 ] || skip "net needs root (network namespace and TAP)"
	command -v ip >/dev/null 2>&1 || skip "net needs iproute2's ip"
	[ -c /dev/net/tun ] || skip "net needs /dev/net/tun"
	if command -v ping >/dev/null 2>&1; then
		ping=ping
	elif [ -x /bin/busybox ]; then
		ping="/bin/busybox ping"
	else
		skip "net needs ping (iputils-ping or busybox-static)"
	fi
	ns=vmmtest-$$
	tap=vmmtap0
	ip netns add "$ns" 2>/dev/null || {
		ns=''
		skip "cannot create a network namespace"
	}
	ip netns exec "$ns" ip tuntap add mode tap name "$tap" ||
		skip "cannot create a TAP device in the namespace"
	ip netns exec "$ns" ip addr add 10.0.2.1/24 dev "$tap" || fail "ip addr add"
	ip netns exec "$ns" ip link set "$tap" up || fail "ip link set up"
	seq 1 200000 >"$work/want"
	size=$(wc -c <"$work/want")
	wrap="ip netns exec $ns"
	listen 5555 "$size" "$work/recv"
	n=0
	while [ ! -f "$work/recv.ready" ]; do
		kill -0 "$listener" 2>/dev/null || fail "the listener did not start"
		n=$((n + 1))
		[ $n -lt 600 ] || fail "the listener is not ready after 60 s"
		sleep 0.1
	done
	boot_start "dev=\$(ls /sys/class/net | grep -v '^lo\$' | head -n 1); echo DEV \$dev;
ip link set \$dev up && ip addr add 10.0.2.15/24 dev \$dev && echo UP ok;
seq 1 200000 | nc 10.0.2.1 5555; echo NC \$?;
timeout 600 nc -l -p 5556 </dev/null >/dev/null; echo RELEASED \$?" --net "tap=$tap"
	wait "$listener"
	listener=''
	# shellcheck disable=SC2086 # $wrap and $ping are words to split
	$wrap $ping -c 3 -W 10 10.0.2.15 >"$work/ping" 2>&1
	ping_rc=$?
	release
	boot_wait
	expect_rc 0
	expect_result UP ok
	expect_result NC 0
	[ "$ping_rc" -eq 0 ] || { cat "$work/ping"; fail "the guest does not answer ping"; }
	[ -f "$work/recv" ] || fail "the listener received nothing"
	[ "$(wc -c <"$work/recv")" -eq "$size" ] ||
		fail "received $(wc -c <"$work/recv") bytes, expected $size"
	[ "$(md5 <"$work/recv")" = "$(md5 <"$work/want")" ] || fail "the received bytes differ"
	expect_result RELEASED 0
}

mode_workload() {
	truncate -s $((16 * MiB)) "$img"
	boot "awk -v f=%08x%c 'BEGIN { x = 12345; for (i = 0; i < 466034; i++) {
x = (x * 69069 + 1) % 2147483648; printf f, x, 10 } }' | head -c $((4 * MiB)) >/tmp/w;
echo MD5 \$(md5sum </tmp/w | cut -c1-32); gzip -c /tmp/w >/tmp/w.gz;
echo GZMD5 \$(md5sum </tmp/w.gz | cut -c1-32); echo GZSIZE \$(wc -c </tmp/w.gz);
echo ROUNDTRIP \$(gzip -dc /tmp/w.gz | md5sum | cut -c1-32);
dd if=/tmp/w.gz of=/dev/vda bs=4096 conv=fsync 2>/dev/null && echo STORED ok" \
		--drive "file=$img"
	expect_rc 0
	python3 - "$work/data" <<'EOF'
import sys
x, out = 12345, []
for _ in range(466034):
    x = (x * 69069 + 1) % 2147483648
    out.append("%08x\n" % x)
open(sys.argv[1], "wb").write("".join(out).encode()[: 4 * 1048576])
EOF
	want=$(md5 <"$work/data")
	expect_result MD5 "$want"
	expect_result ROUNDTRIP "$want"
	expect_result STORED ok
	gz=$(result GZSIZE)
	if [ "${gz:-0}" -le 1024 ] || [ "$gz" -ge $((4 * MiB)) ]; then
		fail "implausible compressed size '$gz' for 4 MiB of hex text"
	fi
	head -c "$gz" "$img" >"$work/data.gz"
	expect_result GZMD5 "$(md5 <"$work/data.gz")"
	[ "$(gzip -dc <"$work/data.gz" | md5)" = "$want" ] ||
		fail "the host's gzip does not decompress the guest's output to the data"
}

case $mode in
blk-write) mode_blk_write ;;
blk-read) mode_blk_read ;;
ro) mode_ro ;;
discard) mode_discard ;;
exec) mode_exec ;;
lock) mode_lock ;;
multi) mode_multi ;;
reboot) mode_reboot ;;
rng) mode_rng ;;
net) mode_net ;;
workload) mode_workload ;;
*)
	echo "unknown mode '$mode'"
	exit 2
	;;
esac
echo "PASS ($mode)"
