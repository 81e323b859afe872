#include "vmm/config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm_config.h"

int parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
	unsigned long long v;
	uint64_t unit = default_unit;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'B': unit = 1; end++; break;
	case 'K': unit = 1ULL << 10; end++; break;
	case 'M': unit = 1ULL << 20; end++; break;
	case 'G': unit = 1ULL << 30; end++; break;
	case 'T': unit = 1ULL << 40; end++; break;
	default: return -EINVAL;
	}
	/* Accept "512M", "512MiB", "512MB" alike. */
	if ((end[0] == 'i' || end[0] == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (end[0] == 'B' || end[0] == 'b')
		end++;
	if (*end)
		return -EINVAL;
	if (unit && v > UINT64_MAX / unit)
		return -ERANGE;
	*out = v * unit;
	return 0;
}

static const char usage_text[] =
	"Usage: vmm --kernel PATH [options]\n"
	"\n"
	"Boot a Linux kernel (x86-64 bzImage or PVH vmlinux under KVM; RISC-V 64\n"
	"Image or bare-metal ELF under the JIT) with a serial console.\n"
	"\n"
	"  -k, --kernel PATH       kernel image (required)\n"
	"  -i, --initrd PATH       initial ramdisk\n"
	"  -c, --cmdline STR       kernel command line (default: machine's console args)\n"
	"  -m, --mem SIZE          guest RAM; suffixes K, M, G (default 512M; bare number = MiB)\n"
	"  -n, --cpus N            number of vCPUs (default 1)\n"
	"      --arch ARCH         guest architecture: x86_64 (default) or riscv64\n"
	"      --accel A           kvm, tcg or auto (default auto: KVM when usable)\n"
	"      --tcg-backend B     JIT backend: native or interp (default native)\n"
	"      --console C         stdio (default), none, or file:PATH\n"
	"      --on-reboot A       exit (default) or restart when the guest reboots\n"
	"      --seccomp M         on (default), off, or log (log instead of kill)\n"
	"      --hugepages M       on or off (default): guest RAM behind transparent huge pages\n"
	"      --bios PATH         RISC-V M-mode firmware (OpenSBI fw_dynamic.bin)\n"
	"      --drive SPEC        virtio-blk disk, repeatable: file=PATH[,ro=on][,direct=on]\n"
	"                          [,serial=ID][,id=NAME][,iops=N][,bw=N]\n"
	"      --net SPEC          virtio-net, repeatable: tap=NAME[,mac=52:54:..][,bw=N][,iops=N]\n"
	"      --rng[=bw=N]        virtio-rng entropy device (optionally rate-limited, bytes/s)\n"
	"  -v, --verbose           more log output (repeat for debug)\n"
	"  -h, --help              this text\n"
	"  -V, --version           version\n"
	"\n"
	"Console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.\n"
	"Exit status: the guest's status (exit device / test finisher), 0 after a\n"
	"guest poweroff or reboot, 125 when vmm fails, 126 when the guest crashes,\n"
	"128+N on signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).\n";

enum {
	OPT_ARCH = 256,
	OPT_ACCEL,
	OPT_CONSOLE,
	OPT_ON_REBOOT,
	OPT_SECCOMP,
	OPT_TCG_BACKEND,
	OPT_BIOS,
	OPT_DRIVE,
	OPT_NET,
	OPT_RNG,
	OPT_HUGEPAGES,
};

static const struct option long_opts[] = {
	{"kernel", required_argument, NULL, 'k'},
	{"initrd", required_argument, NULL, 'i'},
	{"cmdline", required_argument, NULL, 'c'},
	{"mem", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, 'n'},
	{"arch", required_argument, NULL, OPT_ARCH},
	{"accel", required_argument, NULL, OPT_ACCEL},
	{"console", required_argument, NULL, OPT_CONSOLE},
	{"on-reboot", required_argument, NULL, OPT_ON_REBOOT},
	{"seccomp", required_argument, NULL, OPT_SECCOMP},
	{"tcg-backend", required_argument, NULL, OPT_TCG_BACKEND},
	{"bios", required_argument, NULL, OPT_BIOS},
	{"drive", required_argument, NULL, OPT_DRIVE},
	{"net", required_argument, NULL, OPT_NET},
	{"rng", optional_argument, NULL, OPT_RNG},
	{"hugepages", required_argument, NULL, OPT_HUGEPAGES},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Map @arg to the index of a matching name in @names, or -1. */
static int pick(const char *arg, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	return -1;
}

static int parse_cpus(const char *arg, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*arg))
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v == 0 || v > 1024)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_opt(int c, const char *arg, struct vmm_config *cfg, char *err, size_t len)
{
	static const char *const arches[] = {"x86_64", "riscv64"};
	static const char *const accels[] = {"auto", "kvm", "tcg"};
	static const char *const reboots[] = {"exit", "restart"};
	static const char *const seccomps[] = {"on", "off", "log"};
	static const char *const backends[] = {"auto", "native", "interp"};
	static const char *const onoff[] = {"off", "on"};
	int i;

	switch (c) {
	case 'k': cfg->kernel = arg; return 0;
	case 'i': cfg->initrd = arg; return 0;
	case 'c': cfg->cmdline = arg; return 0;
	case OPT_BIOS: cfg->bios = arg; return 0;
	case OPT_DRIVE:
	case OPT_NET:
	case OPT_RNG:
		if (cfg->ndrives + cfg->nnets + (cfg->rng != NULL) >= CONFIG_MAX_VIRTIO)
			return fail(err, len, "too many virtio devices (at most %d)", CONFIG_MAX_VIRTIO);
		if (c == OPT_DRIVE)
			cfg->drives[cfg->ndrives++] = arg;
		else if (c == OPT_NET)
			cfg->nets[cfg->nnets++] = arg;
		else if (cfg->rng)
			return fail(err, len, "--rng given twice");
		else
			cfg->rng = arg ? arg : "";
		return 0;
	case 'v': cfg->verbose++; return 0;
	case 'm':
		if (parse_size(arg, 1ULL << 20, &cfg->mem_bytes) < 0 || cfg->mem_bytes == 0)
			return fail(err, len, "--mem: '%s' is not a memory size (e.g. 512M, 2G)", arg);
		return 0;
	case 'n':
		if (parse_cpus(arg, &cfg->cpus) < 0)
			return fail(err, len, "--cpus: '%s' is not a vCPU count of at least 1", arg);
		return 0;
	case OPT_ARCH:
		if ((i = pick(arg, arches, 2)) < 0)
			return fail(err, len, "--arch: unknown architecture '%s' (x86_64, riscv64)", arg);
		cfg->arch = i == 0 ? ARCH_X86_64 : ARCH_RISCV64;
		return 0;
	case OPT_ACCEL:
		if ((i = pick(arg, accels, 3)) < 0)
			return fail(err, len, "--accel: unknown accelerator '%s' (kvm, tcg, auto)", arg);
		cfg->accel = (enum accel_choice)i;
		return 0;
	case OPT_ON_REBOOT:
		if ((i = pick(arg, reboots, 2)) < 0)
			return fail(err, len, "--on-reboot: '%s' is not exit or restart", arg);
		cfg->on_reboot = (enum reboot_action)i;
		return 0;
	case OPT_SECCOMP:
		if ((i = pick(arg, seccomps, 3)) < 0)
			return fail(err, len, "--seccomp: '%s' is not on, off or log", arg);
		cfg->seccomp = (enum seccomp_mode)i;
		return 0;
	case OPT_HUGEPAGES:
		if ((i = pick(arg, onoff, 2)) < 0)
			return fail(err, len, "--hugepages: '%s' is not on or off", arg);
		cfg->hugepages = i == 1;
		return 0;
	case OPT_TCG_BACKEND:
		if ((i = pick(arg, backends, 3)) < 0)
			return fail(err, len, "--tcg-backend: '%s' is not native or interp", arg);
		cfg->tcg_backend = (enum tcg_backend)i;
		return 0;
	case OPT_CONSOLE:
		if (strcmp(arg, "stdio") == 0) {
			cfg->console = CONSOLE_STDIO;
		} else if (strcmp(arg, "none") == 0) {
			cfg->console = CONSOLE_NONE;
		} else if (strncmp(arg, "file:", 5) == 0 && arg[5]) {
			cfg->console = CONSOLE_FILE;
			cfg->console_path = arg + 5;
		} else {
			return fail(err, len, "--console: '%s' is not stdio, none or file:PATH", arg);
		}
		return 0;
	}
	return fail(err, len, "unknown option (try --help)");
}

int config_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen,
		 void *out)
{
	int c, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = CONFIG_DEFAULT_MEM;
	cfg->cpus = 1;
	cfg->arch = ARCH_X86_64;
	cfg->accel = ACCEL_AUTO;
	cfg->console = CONSOLE_STDIO;
	cfg->seccomp = SECCOMP_ON;
	err[0] = '\0';

	optind = 0; /* reset getopt so config_parse can be called repeatedly (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:c:m:n:vhV", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, (FILE *)out);
			return 1;
		}
		if (c == 'V') {
			fprintf((FILE *)out, "vmm %s\n", VMM_VERSION);
			return 1;
		}
		if (c == ':')
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		if (c == '?')
			return fail(err, errlen, "unknown option '%s' (try --help)", argv[optind - 1]);
		ret = parse_opt(c, optarg, cfg, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
	if (!cfg->kernel)
		return fail(err, errlen, "no kernel given: vmm --kernel PATH (try --help)");
	if (cfg->arch == ARCH_RISCV64 && cfg->accel == ACCEL_KVM)
		return fail(err, errlen, "--accel kvm cannot run a riscv64 guest on this host; use --accel tcg");
	if (cfg->arch == ARCH_X86_64 && cfg->bios)
		return fail(err, errlen, "--bios is only for --arch riscv64");
	return 0;
}
