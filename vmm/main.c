/*
 * vmm: parse the command line, pick the machine for the guest architecture,
 * run it, and turn how it stopped into the process exit code.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "vmm/config.h"
#include "vmm/machine.h"

int main(int argc, char **argv)
{
	struct vmm_config cfg;
	char err[512];
	int ret;

	ret = config_parse(argc, argv, &cfg, err, sizeof(err), stdout);
	if (ret == 1)
		return VMM_EXIT_OK;
	if (ret < 0) {
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_ERROR;
	}
	log_set_level(cfg.verbose >= 2 ? LOG_DEBUG : cfg.verbose ? LOG_INFO : LOG_WARN);
	/* A console reader that goes away must not kill the VM: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * One malloc arena for every thread: glibc's per-thread arenas read
	 * /proc/sys/vm/overcommit_memory the first time they shrink, an open()
	 * that the threads' seccomp filters forbid.
	 */
	mallopt(M_ARENA_MAX, 1);
	if (cfg.arch == ARCH_RISCV64) {
#ifdef VMM_HAVE_RISCV
		return machine_riscv_run(&cfg);
#else
		fprintf(stderr, "vmm: this build has no riscv64 machine\n");
		return VMM_EXIT_ERROR;
#endif
	}
	return machine_x86_run(&cfg);
}
