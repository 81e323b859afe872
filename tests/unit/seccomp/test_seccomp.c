/*
 * The per-thread seccomp filters, each installed in a child process: calls
 * on the thread's list work, openat fails with EACCES, anything else kills
 * the process with SIGSYS (or is only logged with --seccomp=log).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/seccomp.h"
#include "tests/test.h"

/* Run @body in a child under @kind's filter; return its wait status. */
static int in_child(enum seccomp_thread kind, enum seccomp_mode mode, int (*body)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (seccomp_install(kind, mode) < 0)
			_exit(100);
		_exit(body());
	}
	waitpid(pid, &status, 0);
	return status;
}

static int do_allowed(void)
{
	return write(STDERR_FILENO, "", 0) == 0 ? 0 : 1;
}

static int do_open(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	return fd < 0 && errno == EACCES ? 0 : 1;
}

static int do_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 2 : 3;
}

static int do_fork(void)
{
	return syscall(SYS_fork) >= 0 ? 2 : 3;
}

int main(void)
{
	enum seccomp_thread k;
	int st;

	for (k = 0; k < SECCOMP_THREAD_KINDS; k++) {
		CHECK(seccomp_rule_count(k) > 10);
		st = in_child(k, SECCOMP_ON, do_allowed);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		st = in_child(k, SECCOMP_ON, do_open);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		st = in_child(k, SECCOMP_ON, do_socket);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
		st = in_child(k, SECCOMP_ON, do_fork);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
		/* --seccomp=log: the call goes through (and is logged by the kernel). */
		st = in_child(k, SECCOMP_LOG, do_socket);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
		st = in_child(k, SECCOMP_OFF, do_socket);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	}
	return test_result("test_seccomp");
}
