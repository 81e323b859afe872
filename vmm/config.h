/*
 * The VMM's configuration: what the command line (and later a config file)
 * asks for. Parsing is pure (config_parse) so tests need no VM.
 */
#ifndef VMM_VMM_CONFIG_H
#define VMM_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/accel.h"

enum accel_choice { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum console_kind { CONSOLE_STDIO, CONSOLE_NONE, CONSOLE_FILE };
enum seccomp_mode { SECCOMP_ON, SECCOMP_OFF, SECCOMP_LOG };
enum reboot_action { REBOOT_EXIT, REBOOT_RESTART };
enum tcg_backend { TCG_BACKEND_AUTO, TCG_BACKEND_NATIVE, TCG_BACKEND_INTERP };

#define CONFIG_MAX_VIRTIO 8 /* virtio devices of all kinds together */

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;   /* NULL: the machine's default */
	const char *bios;      /* RISC-V M-mode firmware (later) */
	uint64_t mem_bytes;
	unsigned cpus;
	enum guest_arch arch;
	enum accel_choice accel;
	enum console_kind console;
	const char *console_path; /* CONSOLE_FILE */
	enum seccomp_mode seccomp;
	enum reboot_action on_reboot;
	enum tcg_backend tcg_backend;
	bool hugepages; /* guest RAM behind transparent huge pages (--hugepages) */
	int verbose;
	/* virtio devices: the raw option values, parsed by the machine. */
	const char *drives[CONFIG_MAX_VIRTIO];
	unsigned ndrives;
	const char *nets[CONFIG_MAX_VIRTIO];
	unsigned nnets;
	const char *rng; /* NULL: no rng; "" or "bw=N": one */
};

/* Exit codes of the vmm process (README "Exit codes"). */
enum {
	VMM_EXIT_OK = 0,
	VMM_EXIT_ERROR = 125, /* vmm itself failed: bad flags, bad image, no KVM */
	VMM_EXIT_CRASH = 126, /* the guest crashed: triple fault, internal error */
	VMM_EXIT_SIGINT = 130,
	VMM_EXIT_SIGTERM = 143,
};

#define CONFIG_DEFAULT_MEM (512ULL << 20)

/*
 * Parse argv into *cfg. Returns 0 on success, 1 if --help/--version was
 * handled (output written to @out), or -EINVAL with a one-line message in
 * @err.
 */
int config_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen,
		 void *out /* FILE * */);

/* "512M", "2G", "1048576", "64k": bytes; -EINVAL on junk or overflow. */
int parse_size(const char *s, uint64_t default_unit, uint64_t *out);

#endif
