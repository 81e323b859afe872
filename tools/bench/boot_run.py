#!/usr/bin/env python3
"""Timed guest boots for tools/bench/boot (which builds vmm and finds the
images and firmware, then runs this).

Each run spawns one emulator with the guest console on a pipe, reads the
console as it streams, and records, from just before the spawn:
  - the wall time when the banner line "vmm guest: Linux ..." appears and the
    CPU time (user+sys) its process tree has used by then, from /proc/PID/stat
    of the process and its descendants (clock-tick resolution);
  - the wall time when the process has exited and its CPU time from wait4()
    (the process and every descendant it waited for).
A workload run boots with a fixed in-guest workload instead of `true` and
takes the guest's own timestamps for each step from its console.

Columns run interleaved (vmm, qemu, vmm, qemu, ...) so that a change in host
load hits both alike. The table holds medians and the ratio vmm/qemu.
"""
import argparse
import hashlib
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time

BANNER = re.compile(rb"^vmm guest: Linux .*$", re.M)
# The workload prints "vmm-bench: t T0 T1 T2 T3" (uptime before and after
# each step); the command line holds "$a" where the console shows digits, so an
# echoed command line cannot match.
STAMPS = re.compile(rb"^vmm-bench: t ([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)\s*$", re.M)
MD5 = re.compile(rb"^([0-9a-f]{32})  (\S+)\s*$", re.M)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def workload_cmd(mib):
    """The guest command: generate MIB MiB with yes | head -c, md5sum it,
    gzip it (md5sum of the compressed stream, so that both emulators can be
    checked to agree), a timestamp before and after each step. The guest's
    busybox date has no %N, so the stamps are /proc/uptime's (read by the
    shell's builtin, 10 ms resolution). Quoted on the kernel command line, so
    it must hold no double quote (tools/guest/init: cmdline)."""
    n = mib << 20
    return ("read a x </proc/uptime; "
            f"yes vmm-bench | head -c {n} >/tmp/w; "
            "read b x </proc/uptime; md5sum /tmp/w; "
            "read c x </proc/uptime; gzip -c </tmp/w | md5sum; "
            "read d x </proc/uptime; echo vmm-bench: t $a $b $c $d")


def workload_md5(mib):
    """md5 of the bytes the guest generates: "vmm-bench\\n" repeated, cut."""
    line = b"vmm-bench\n"
    n = mib << 20
    data = line * (n // len(line) + 1)
    return hashlib.md5(data[:n]).hexdigest()


def proc_children(pid):
    """PIDs of PID's live children (from every thread's children list)."""
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass  # gone meanwhile, or a kernel without CONFIG_PROC_CHILDREN
    return kids


def proc_cpu(pid):
    """user+sys seconds of PID (all threads), its reaped children and its
    live descendants; 0 for a process that is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return 0.0
    # Fields after the parenthesised command name: utime, stime, cutime and
    # cstime are fields 14-17 (proc(5)).
    fields = stat[stat.rindex(b")") + 2:].split()
    own = sum(int(x) for x in fields[11:15]) / CLK_TCK
    return own + sum(proc_cpu(k) for k in proc_children(pid))


def run_once(cmd, timeout, log_path):
    """One run. Returns a dict of times, or raises RuntimeError."""
    out = bytearray()
    t_banner = cpu_banner = None
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    fd = proc.stdout.fileno()
    try:
        while True:
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"timeout after {timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            # Search from a line before the chunk: the banner may straddle reads.
            start = max(0, out.rfind(b"\n") + 1)
            out += chunk
            if t_banner is None and BANNER.search(out, start):
                t_banner = time.monotonic() - t0
                cpu_banner = proc_cpu(proc.pid)
        _, status, ru = os.wait4(proc.pid, 0)
        t_exit = time.monotonic() - t0
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    finally:
        proc.stdout.close()
        with open(log_path, "wb") as f:
            f.write(out)
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        raise RuntimeError(f"exit status {rc}")
    if t_banner is None:
        raise RuntimeError("no banner line on the console")
    return {"out": bytes(out), "banner_wall": t_banner, "banner_cpu": cpu_banner,
            "exit_wall": t_exit, "exit_cpu": ru.ru_utime + ru.ru_stime}


def parse_workload(r):
    """Adds the guest's step times and checksums to run result R."""
    m = STAMPS.search(r["out"])
    if not m:
        raise RuntimeError("no workload timestamps on the console")
    t = [float(x) for x in m.groups()]
    r["wl_gen"], r["wl_md5"], r["wl_gzip"] = t[1] - t[0], t[2] - t[1], t[3] - t[2]
    r["wl_total"] = t[3] - t[0]
    sums = [s.decode() for s, _ in MD5.findall(r["out"])]
    if len(sums) != 2:
        raise RuntimeError("workload printed no md5sum lines")
    r["wl_sums"] = sums


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


ROWS = [  # key, label, which run
    ("banner_wall", "banner wall", "boot"),
    ("banner_cpu", "banner cpu", "boot"),
    ("exit_wall", "exit wall", "boot"),
    ("exit_cpu", "exit cpu", "boot"),
    ("wl_gen", "workload gen (guest)", "wl"),
    ("wl_md5", "workload md5 (guest)", "wl"),
    ("wl_gzip", "workload gzip (guest)", "wl"),
    ("wl_total", "workload total (guest)", "wl"),
    ("exit_wall", "workload run wall", "wl"),
    ("exit_cpu", "workload run cpu", "wl"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--mib", type=int, default=8)
    ap.add_argument("--no-workload", action="store_true")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--vmm", help="vmm binary (no vmm column without it)")
    ap.add_argument("--vmm-args", default="", help="extra vmm arguments (shell words)")
    ap.add_argument("--vmm-b-args", help="a second vmm column, vmm-b, with these arguments"
                    " added (an A/B comparison, taking turns with the others)")
    ap.add_argument("--qemu", help="qemu-system-riscv64 (no qemu column without it)")
    ap.add_argument("--bios", help="OpenSBI fw_jump for qemu")
    ap.add_argument("--header", action="append", default=[])
    a = ap.parse_args()

    boot_cl = "console=ttyS0 quiet vmm.run=true"
    wl_cl = f'console=ttyS0 quiet vmm.run="{workload_cmd(a.mib)}"'
    cols = []
    if a.vmm:
        cols.append(("vmm", [a.vmm, "--arch", "riscv64", "--tcg-backend", "native",
                             "--mem", a.mem, "--kernel", a.kernel, "--initrd", a.initrd]
                     + shlex.split(a.vmm_args), "--cmdline"))
    if a.vmm and a.vmm_b_args is not None:
        cols.append(("vmm-b", cols[0][1] + shlex.split(a.vmm_b_args), "--cmdline"))
    if a.qemu:
        cols.append(("qemu", [a.qemu, "-M", "virt", "-m", a.mem, "-nographic", "-no-reboot",
                              "-bios", a.bios, "-kernel", a.kernel, "-initrd", a.initrd],
                     "-append"))
    kinds = [("boot", boot_cl)] + ([] if a.no_workload else [("wl", wl_cl)])

    res = {}  # (column, kind) -> list of run dicts, or an error string
    status = 0
    for i in range(a.runs):
        for kind, cl in kinds:
            for name, prefix, opt in cols:
                key = (name, kind)
                if isinstance(res.get(key), str):
                    continue  # failed before: no more runs of it
                log = os.path.join(a.logdir, f"{name}-{kind}-{i + 1}.log")
                try:
                    r = run_once(prefix + [opt, cl], a.timeout, log)
                    if kind == "wl":
                        parse_workload(r)
                except RuntimeError as e:
                    print(f"boot: {name} {kind} run {i + 1}: {e}; console in {log}",
                          file=sys.stderr)
                    res[key] = "FAIL"
                    status = 1
                    continue
                if a.verbose:
                    print(f"  {name} {kind} run {i + 1}: " + " ".join(
                        f"{k}={r[k]:.3f}" for k, _, w in ROWS if w == kind and k in r),
                        file=sys.stderr)
                res.setdefault(key, []).append(r)

    if not a.no_workload:
        want = workload_md5(a.mib)
        seen = {}
        for name, _, _ in cols:
            runs = res.get((name, "wl"))
            if not isinstance(runs, list):
                continue
            for r in runs:
                if r["wl_sums"][0] != want:
                    print(f"boot: {name}: guest md5 {r['wl_sums'][0]} of the generated data,"
                          f" host computes {want}", file=sys.stderr)
                    status = 1
                seen.setdefault(r["wl_sums"][1], set()).add(name)
        if len(seen) > 1:
            print(f"boot: the gzip streams' md5 differ: {seen}", file=sys.stderr)
            status = 1

    print("# vmm boot benchmark (tools/bench/boot)")
    for h in a.header:
        print(f"# {h}")
    print(f"# median of {a.runs} run(s); seconds from just before spawning the process"
          " (wall) and its user+sys CPU time (cpu).")
    print("# banner: the console shows 'vmm guest: Linux ...'; exit: the process has"
          " exited (command line: " + boot_cl + ").")
    if not a.no_workload:
        print(f"# workload: {a.mib} MiB from yes | head -c, md5sum, gzip | md5sum, each"
              " timed in the guest (/proc/uptime); run wall/cpu: the whole workload boot.")
    print("# vmm/qemu: ratio of medians (issue 4's target: <= 0.5).")
    names = ["vmm", "qemu"]
    head = f"{'measure':<24} {'vmm':>9} {'qemu':>9} {'vmm/qemu':>9}"
    if any(c[0] == "vmm-b" for c in cols):
        print(f"# vmm-b: vmm with {a.vmm_b_args!r} added; vmm-b/vmm: ratio of medians.")
        names.append("vmm-b")
        head += f" {'vmm-b':>9} {'vmm-b/vmm':>9}"
    print(head)

    def ratio(x, y):
        ok = isinstance(x, float) and isinstance(y, float) and y > 0
        return f"{x / y:.2f}" if ok else "n/a"

    for k, label, kind in ROWS:
        if kind == "wl" and a.no_workload:
            continue
        cells = []
        for name in names:
            runs = res.get((name, kind))
            if isinstance(runs, list):
                cells.append(median([r[k] for r in runs]))
            else:
                cells.append(runs or "n/a")
        shown = [f"{c:.3f}" if isinstance(c, float) else c for c in cells]
        line = f"{label:<24} {shown[0]:>9} {shown[1]:>9} {ratio(cells[0], cells[1]):>9}"
        if len(cells) > 2:
            line += f" {shown[2]:>9} {ratio(cells[2], cells[0]):>9}"
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
