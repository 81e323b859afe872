#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "hw/uart8250.h"
#include "seccomp/seccomp.h"

static void machine_stop_request(void *opaque, enum vm_stop_reason reason, int status)
{
	struct machine *m = opaque;
	int expected = VM_STOP_NONE;
	uint64_t one = 1;
	unsigned i;

	/*
	 * The first request decides the exit code; later ones only log. A signal
	 * still overrides a reset: with --on-reboot restart a reset is not the
	 * end, and the signal, already read from the signalfd, would be lost.
	 */
	if (!atomic_compare_exchange_strong(&m->stop_reason, &expected, (int)reason) &&
	    !(reason == VM_STOP_SIGNAL && expected == VM_STOP_RESET &&
	      atomic_compare_exchange_strong(&m->stop_reason, &expected, (int)reason))) {
		log_debug("stop request %d after %d ignored", reason, expected);
		return;
	}
	atomic_store(&m->stop_status, status);
	for (i = 0; i < m->ncpus; i++)
		if (m->vcpu[i])
			m->accel->vcpu_kick(m->vcpu[i]);
	if (write(m->stop_efd, &one, sizeof(one)) < 0)
		log_debug("stop eventfd write failed");
}

static void machine_irq_set(void *opaque, unsigned gsi, bool level)
{
	struct machine *m = opaque;

	if (m->vm && m->accel->set_irq_line(m->vm, gsi, level) < 0)
		log_warn("cannot set interrupt line %u", gsi);
}

static const struct irq_sink_ops machine_irq_ops = {.set_level = machine_irq_set};

void machine_notify_input(void *opaque)
{
	struct machine *m = opaque;
	uint64_t one = 1;

	if (write(m->input_efd, &one, sizeof(one)) < 0)
		log_debug("input eventfd write failed");
}

static void machine_console_out(void *opaque, const uint8_t *buf, size_t len)
{
	console_write(opaque, buf, len);
}

static const struct uart_backend_ops machine_console_backend = {.write = machine_console_out};

static size_t machine_console_in(void *opaque, const uint8_t *buf, size_t len)
{
	return uart8250_receive(opaque, buf, len);
}

struct uart8250 *machine_console_uart(struct machine *m, const struct irq_line *irq)
{
	struct uart8250 *u = uart8250_create(irq, &machine_console_backend, m->con);

	if (!u)
		return NULL;
	uart8250_set_rx_ready_cb(u, machine_notify_input, m);
	console_set_input(m->con, machine_console_in, u, &m->stop);
	return u;
}

int machine_open_file(const char *what, const char *path, struct machine_file *f)
{
	struct stat st;
	int e;

	*f = (struct machine_file){.fd = -1, .what = what, .path = path};
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		e = errno;
		log_err("cannot open %s '%s': %s", what, path, strerror(e));
		return -e;
	}
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("%s '%s' is not a regular file", what, path);
		machine_close_file(f);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		log_err("%s '%s' is empty", what, path);
		machine_close_file(f);
		return -EINVAL;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
}

void machine_close_file(struct machine_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

struct file_part {
	const struct machine_file *f;
	uint64_t off;
	uint8_t *dst;
	size_t len;
	int ret;
};

/* pread until done: 0, -errno, or -ENODATA when the file ends early. */
static int file_part_read(struct file_part *p)
{
	size_t done = 0;

	while (done < p->len) {
		ssize_t n = pread(p->f->fd, p->dst + done, p->len - done, (off_t)(p->off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static void *file_part_thread(void *arg)
{
	struct file_part *p = arg;

	p->ret = file_part_read(p);
	return NULL;
}

/*
 * Below this a read is not split: a thread costs more than it saves. Above,
 * the second half is read by a helper thread: a read into fresh guest RAM
 * costs mostly the host kernel's zeroing of the pages it faults in, which
 * two CPUs do twice as fast.
 */
#define FILE_SPLIT_MIN (8 * MiB)

/* Read [off, off + len) of @f, inside its size, to @dst: 0 or -errno. */
static int file_read(const struct machine_file *f, uint64_t off, void *dst, size_t len)
{
	struct file_part a = {.f = f, .off = off, .dst = dst, .len = len};
	struct file_part b = {.f = f};
	pthread_t helper;
	bool split = false;
	int ret;

	if (off > f->size || len > f->size - off)
		return -EINVAL;
	if (len >= FILE_SPLIT_MIN) {
		size_t half = ALIGN_DOWN(len / 2, 2 * MiB);

		b = (struct file_part){
		    .f = f, .off = off + half, .dst = a.dst + half, .len = len - half};
		a.len = half;
		split = pthread_create(&helper, NULL, file_part_thread, &b) == 0;
		if (!split) { /* no thread: read it all here */
			a.len = len;
			b.len = 0;
		}
	}
	ret = file_part_read(&a);
	if (split) {
		pthread_join(helper, NULL);
		if (ret == 0)
			ret = b.ret;
	}
	return ret;
}

static int file_src_read(void *opaque, uint64_t off, void *dst, size_t len)
{
	return file_read(opaque, off, dst, len);
}

struct boot_src machine_file_src(const struct machine_file *f)
{
	return (struct boot_src){.size = f->size, .read = file_src_read, .opaque = (void *)f};
}

int machine_file_read(const struct machine_file *f, uint64_t off, void *dst, size_t len)
{
	int ret = file_read(f, off, dst, len);

	if (ret == -EINVAL)
		log_err("%s '%s': cannot read %zu bytes at %llu of %llu", f->what, f->path, len,
			(unsigned long long)off, (unsigned long long)f->size);
	else if (ret < 0)
		log_err("%s '%s': %s", f->what, f->path, boot_src_strerror(ret));
	return ret;
}

/* The signals that stop a VM: read from a signalfd by the main loop only. */
static void machine_stop_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGHUP);
}

int machine_init(struct machine *m, const struct vmm_config *cfg, const struct accel_ops *accel)
{
	sigset_t sigs;
	int ret;

	/*
	 * Blocked before any thread starts (the I/O and timer threads come with
	 * the devices), so that every thread inherits the mask: a stop signal
	 * delivered to a thread that does not block it would kill the process
	 * without the orderly shutdown.
	 */
	machine_stop_signals(&sigs);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	memset(m, 0, sizeof(*m));
	m->stop_efd = m->input_efd = -1;
	if (cfg->cpus > MACHINE_MAX_VCPUS) {
		log_err("--cpus %u is more than this host allows (at most %u)", cfg->cpus,
			MACHINE_MAX_VCPUS);
		return -EINVAL;
	}
	m->cfg = cfg;
	m->accel = accel;
	m->ncpus = cfg->cpus;
	m->stop = (struct vm_stop){.request = machine_stop_request, .opaque = m};
	m->irq_sink = (struct irq_line){.ops = &machine_irq_ops, .opaque = m};
	io_bus_init(&m->pio, "pio");
	io_bus_init(&m->mmio, "mmio");
	m->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	m->input_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->stop_efd < 0 || m->input_efd < 0)
		return -errno;
	ret = console_open(cfg->console, cfg->console_path, &m->con);
	if (ret < 0)
		return ret;
	return 0;
}

int machine_alloc_ram(struct machine *m, const struct gm_region *layout, unsigned n)
{
	int ret = guest_mem_alloc(&m->mem, layout, n);

	if (ret < 0) {
		log_err("cannot reserve %llu MiB of guest memory: %s",
			(unsigned long long)(m->cfg->mem_bytes >> 20), strerror(-ret));
		return ret;
	}
	/* Not fatal: the guest runs on 4 KiB pages then. */
	if (m->cfg->hugepages) {
		ret = guest_mem_hugepages(&m->mem);
		if (ret < 0)
			log_warn("--hugepages: the host gives no transparent huge pages (%s)",
				 strerror(-ret));
	}
	return 0;
}

static int machine_accel_thread_init(void *opaque)
{
	const struct vmm_config *cfg = opaque;

	return seccomp_install(SECCOMP_THREAD_TIMER, cfg->seccomp);
}

int machine_create_vm(struct machine *m)
{
	struct accel_vm_config vc = {
		.arch = m->cfg->arch,
		.ncpus = m->ncpus,
		.pio = &m->pio,
		.mmio = &m->mmio,
		.mem = &m->mem,
		.stop = &m->stop,
		.thread_init = machine_accel_thread_init,
		.thread_init_opaque = (void *)m->cfg,
	};
	unsigned i;
	int ret;

	if (!m->accel) {
		m->accel = machine_pick_accel(m->cfg);
		if (!m->accel)
			return -ENODEV;
	}
	ret = m->accel->vm_create(&vc, &m->vm);
	if (ret < 0) {
		log_err("cannot create the VM (%s): %s", m->accel->name, strerror(-ret));
		return ret;
	}
	for (i = 0; i < m->mem.n; i++) {
		ret = m->accel->map_ram(m->vm, m->mem.r[i].gpa, m->mem.r[i].size, m->mem.r[i].host);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int machine_create_vcpus(struct machine *m)
{
	unsigned i;
	int ret;

	for (i = 0; i < m->ncpus; i++) {
		ret = m->accel->vcpu_create(m->vm, i, &m->vcpu[i]);
		if (ret < 0) {
			log_err("cannot create vCPU %u: %s", i, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

struct vcpu_thread_arg {
	struct machine *m;
	unsigned index;
};

static void *vcpu_thread(void *opaque)
{
	struct vcpu_thread_arg *a = opaque;
	struct machine *m = a->m;
	struct accel_vcpu *v = m->vcpu[a->index];
	enum accel_run_exit ex;

	if (seccomp_install(SECCOMP_THREAD_VCPU, m->cfg->seccomp) < 0) {
		machine_stop_request(m, VM_STOP_ERROR, 0);
		return NULL;
	}
	while (atomic_load(&m->stop_reason) == VM_STOP_NONE) {
		ex = m->accel->vcpu_run(v);
		if (ex == ACCEL_EXIT_SHUTDOWN || ex == ACCEL_EXIT_CRASH)
			machine_stop_request(m, VM_STOP_CRASH, 0);
	}
	return NULL;
}

int machine_exit_code(const struct vmm_config *cfg, enum vm_stop_reason r, int status)
{
	switch (r) {
	case VM_STOP_POWEROFF:
	case VM_STOP_RESET:
	case VM_STOP_USER_QUIT:
		return VMM_EXIT_OK;
	case VM_STOP_EXIT_STATUS:
		return status & 0xff;
	case VM_STOP_CRASH:
		return VMM_EXIT_CRASH;
	case VM_STOP_SIGNAL:
		/* The shell convention: 128 + the signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
		return status > 0 && status < 64 ? 128 + status : VMM_EXIT_SIGINT;
	case VM_STOP_NONE:
	case VM_STOP_ERROR:
		break;
	}
	return VMM_EXIT_ERROR;
}

/* The main thread: console input, signals, stop requests. */
static void machine_loop(struct machine *m, int sig_fd)
{
	while (atomic_load(&m->stop_reason) == VM_STOP_NONE) {
		struct pollfd p[4] = {
			{.fd = m->stop_efd, .events = POLLIN},
			{.fd = sig_fd, .events = POLLIN},
			{.fd = m->input_efd, .events = POLLIN},
			{.fd = console_input_fd(m->con), .events = POLLIN},
		};
		uint64_t v;

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll failed: %s", strerror(errno));
			machine_stop_request(m, VM_STOP_ERROR, 0);
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				machine_stop_request(m, VM_STOP_SIGNAL, (int)si.ssi_signo);
		}
		if (p[2].revents & POLLIN) {
			if (read(m->input_efd, &v, sizeof(v)) < 0)
				log_debug("input eventfd read failed");
			console_input_ready(m->con);
		}
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			console_handle_input(m->con);
	}
}

/* How much guest RAM is resident: what the guest (and the loader) touched. */
static uint64_t machine_guest_resident(const struct machine *m)
{
	long psize = sysconf(_SC_PAGESIZE);
	size_t pages, i;
	uint64_t n = 0;
	unsigned char *vec;

	if (!m->mem.map || psize <= 0)
		return 0;
	pages = m->mem.map_size / (size_t)psize;
	vec = malloc(pages);
	if (!vec)
		return 0;
	if (mincore(m->mem.map, m->mem.map_size, vec) == 0)
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	return n * (uint64_t)psize;
}

/*
 * VMM_TRACE_STARTUP=1 (tools/bench/startup): print when the guest first
 * reached a device and first wrote to the console, and its resident RAM.
 */
static void machine_trace_startup(const struct machine *m)
{
	uint64_t pio = atomic_load(&m->pio.first_access_ns);
	uint64_t mmio = atomic_load(&m->mmio.first_access_ns);
	uint64_t first = pio && mmio ? MIN(pio, mmio) : pio ? pio : mmio;

	if (!getenv("VMM_TRACE_STARTUP"))
		return;
	fprintf(stderr, "vmm-trace: first-io-ns=%llu first-console-ns=%llu guest-resident-kib=%llu\n",
		(unsigned long long)first, (unsigned long long)console_first_write_ns(m->con),
		(unsigned long long)(machine_guest_resident(m) >> 10));
}

int machine_run(struct machine *m)
{
	struct vcpu_thread_arg args[MACHINE_MAX_VCPUS];
	sigset_t sigs;
	int sig_fd, ret = 0;
	unsigned i;

	/* SIGINT/SIGTERM/SIGHUP arrive through a signalfd (machine_init blocked them). */
	machine_stop_signals(&sigs);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0)
		return VMM_EXIT_ERROR;
	for (i = 0; i < m->ncpus; i++) {
		args[i] = (struct vcpu_thread_arg){m, i};
		ret = pthread_create(&m->thread[i], NULL, vcpu_thread, &args[i]);
		if (ret) {
			log_err("cannot start vCPU thread: %s", strerror(ret));
			machine_stop_request(m, VM_STOP_ERROR, 0);
			break;
		}
		m->nthreads++;
	}
	/*
	 * With --on-reboot=restart the main thread must build a new VM after a
	 * reboot (open /dev/kvm, map memory), which its filter would forbid:
	 * then only the vCPU threads are filtered.
	 */
	if (m->cfg->on_reboot != REBOOT_RESTART &&
	    seccomp_install(SECCOMP_THREAD_MAIN, m->cfg->seccomp) < 0)
		machine_stop_request(m, VM_STOP_ERROR, 0);
	machine_loop(m, sig_fd);
	for (i = 0; i < m->nthreads; i++)
		pthread_join(m->thread[i], NULL);
	m->nthreads = 0;
	close(sig_fd);
	machine_trace_startup(m);
	if (log_get_level() >= LOG_DEBUG)
		for (i = 0; i < m->ncpus; i++)
			if (m->vcpu[i]) {
				fprintf(stderr, "vmm: vcpu%u at stop:\r\n", i);
				m->accel->vcpu_dump(m->vcpu[i]);
			}
	return machine_exit_code(m->cfg, (enum vm_stop_reason)atomic_load(&m->stop_reason),
				 atomic_load(&m->stop_status));
}

void machine_destroy(struct machine *m)
{
	unsigned i;

	if (m->arch_destroy)
		m->arch_destroy(m);
	for (i = 0; i < m->ncpus; i++)
		if (m->vcpu[i])
			m->accel->vcpu_destroy(m->vcpu[i]);
	if (m->vm && m->accel)
		m->accel->vm_destroy(m->vm);
	guest_mem_free(&m->mem);
	console_close(m->con);
	if (m->stop_efd >= 0)
		close(m->stop_efd);
	if (m->input_efd >= 0)
		close(m->input_efd);
	memset(m, 0, sizeof(*m));
}

const struct accel_ops *machine_pick_accel(const struct vmm_config *cfg)
{
	char why[256] = "";
	int ret;

	if (cfg->accel == ACCEL_TCG) {
		log_err("--accel tcg is not available for %s guests yet",
			cfg->arch == ARCH_X86_64 ? "x86_64" : "riscv64");
		return NULL;
	}
	ret = kvm_accel_ops.probe(cfg->arch, why, sizeof(why));
	if (ret == 0)
		return &kvm_accel_ops;
	log_err("KVM is not usable: %s", why);
	if (cfg->arch == ARCH_X86_64)
		log_err("x86_64 guests need KVM for now (the x86_64 JIT frontend, for --accel tcg, "
			"is not written yet)");
	return NULL;
}

int machine_boot(const struct vmm_config *cfg, const struct accel_ops *accel,
		 int (*setup)(struct machine *m))
{
	struct machine m;
	int code;

	for (;;) {
		if (machine_init(&m, cfg, accel) < 0 || setup(&m) < 0) {
			machine_destroy(&m);
			return VMM_EXIT_ERROR;
		}
		code = machine_run(&m);
		/* With --on-reboot restart, a reboot starts a fresh machine from the same files. */
		if (atomic_load(&m.stop_reason) == VM_STOP_RESET && cfg->on_reboot == REBOOT_RESTART) {
			machine_destroy(&m);
			continue;
		}
		machine_destroy(&m);
		return code;
	}
}
