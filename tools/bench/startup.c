/*
 * Start-up benchmark: run `vmm` on a tiny guest N times and report, as
 * medians, the wall time from fork() to the guest's first instruction (its
 * first I/O exit, a write to port 0x80) and to its first serial byte, the
 * whole run's wall time, vmm's peak RSS, and its RSS minus the guest RAM
 * the guest touched. vmm reports the two guest-side timestamps
 * (CLOCK_MONOTONIC, the same clock as ours) when VMM_TRACE_STARTUP is set.
 *
 * Usage: startup VMM GUEST [RUNS]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sample {
	double first_insn_ms, first_byte_ms, total_ms, rss_kib, overhead_kib;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run_once(const char *vmm, const char *guest, struct sample *s)
{
	unsigned long long first_post = 0, first_con = 0, guest_kib = 0;
	int errp[2], status;
	struct rusage ru;
	char line[512];
	uint64_t t0, t1;
	FILE *err;
	pid_t pid;

	if (pipe(errp) < 0)
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		dup2(errp[1], 2);
		close(errp[0]);
		setenv("VMM_TRACE_STARTUP", "1", 1);
		execl(vmm, vmm, "--kernel", guest, "--mem", "128M", "--console", "none",
		      (char *)NULL);
		_exit(127);
	}
	close(errp[1]);
	err = fdopen(errp[0], "r");
	while (fgets(line, sizeof(line), err)) {
		if (sscanf(line, "vmm-trace: first-io-ns=%llu first-console-ns=%llu guest-resident-kib=%llu",
			   &first_post, &first_con, &guest_kib) == 3)
			continue;
		fputs(line, stderr);
	}
	fclose(err);
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !first_post) {
		fprintf(stderr, "vmm run failed (status 0x%x)\n", status);
		return -1;
	}
	s->first_insn_ms = (double)(first_post - t0) / 1e6;
	s->first_byte_ms = (double)(first_con - t0) / 1e6;
	s->total_ms = (double)(t1 - t0) / 1e6;
	s->rss_kib = (double)ru.ru_maxrss;
	s->overhead_kib = (double)ru.ru_maxrss - (double)guest_kib;
	return 0;
}

int main(int argc, char **argv)
{
	double a[5][256];
	struct sample s;
	int runs, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s VMM GUEST [RUNS]\n", argv[0]);
		return 2;
	}
	runs = argc > 3 ? atoi(argv[3]) : 20;
	if (runs < 1 || runs > 256)
		runs = 20;
	for (i = 0; i < runs; i++) {
		if (run_once(argv[1], argv[2], &s) < 0)
			return 1;
		a[0][i] = s.first_insn_ms;
		a[1][i] = s.first_byte_ms;
		a[2][i] = s.total_ms;
		a[3][i] = s.rss_kib;
		a[4][i] = s.overhead_kib;
	}
	printf("runs: %d (medians)\n", runs);
	printf("start -> first guest instruction: %8.2f ms\n", median(a[0], runs));
	printf("start -> first serial byte:       %8.2f ms\n", median(a[1], runs));
	printf("start -> exit (whole run):        %8.2f ms\n", median(a[2], runs));
	printf("peak RSS:                         %8.0f KiB\n", median(a[3], runs));
	printf("peak RSS - guest RAM touched:     %8.0f KiB\n", median(a[4], runs));
	return 0;
}
