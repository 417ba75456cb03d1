// SPDX-License-Identifier: MIT
/*
 * libgpuvm-record.so: the LD_PRELOAD half of gpuvm-record.
 *
 * Interposes ioctl() and forwards every call to the next definition in
 * symbol lookup order (dlsym(RTLD_NEXT)).  A call that returned 0 on a
 * file descriptor of a DRM driver gpuvm-record knows is handed to the
 * decoder (decode.c) under one lock, with errno saved and restored: the
 * application sees exactly what the next ioctl() returned.  The driver of
 * a descriptor is asked once with DRM_IOCTL_VERSION; descriptors that
 * refer to the same open file (dup, fcntl, fork) share its state, found
 * with kcmp(KCMP_FILE).  close(), close_range(), dup2() and dup3() are
 * interposed to forget descriptors; the exec family to write everything
 * out first.  Traces go to $GPUVM_RECORD_DIR (default: the directory the
 * process started in), one file per VM, DRIVER-PID-vmID.trace.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "uapi.h"

#define EXPORT __attribute__((visibility("default")))

/* Descriptor table: what each fd number is, as far as we know. */
enum fd_kind { FD_UNKNOWN = 0, FD_OTHER, FD_DRM };
struct fd_ent {
	enum fd_kind kind;
	struct rec_file *file;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static __thread int busy;

static struct rec_ctx ctx;
static struct fd_ent *fds;
static size_t nfds;
static char dir[4096];
static char cmdline[4096];
static char start_time[32];
static bool warned;

static int (*next_ioctl)(int, unsigned long, ...);
static int (*next_close)(int);
static int (*next_close_range)(unsigned, unsigned, int);
static int (*next_dup2)(int, int);
static int (*next_dup3)(int, int, int);
static int (*next_execve)(const char *, char *const[], char *const[]);
static int (*next_execv)(const char *, char *const[]);
static int (*next_execvp)(const char *, char *const[]);
static int (*next_execvpe)(const char *, char *const[], char *const[]);
static int (*next_fexecve)(int, char *const[], char *const[]);

static void *next_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static void set_time(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(start_time, sizeof(start_time), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void read_cmdline(void)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	if (fd >= 0) {
		n = read(fd, cmdline, sizeof(cmdline) - 1);
		next_close(fd);
	}
	if (n < 0)
		n = 0;
	while (n > 0 && cmdline[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
		else if ((unsigned char)cmdline[i] < 0x20 || cmdline[i] == 0x7f)
			cmdline[i] = '?';
	cmdline[n] = '\0';
}

/* The sink: append @text to @vm's file, creating it on first use. */
static void file_sink(struct rec_ctx *c, struct rec_vm *vm, const char *text,
		      size_t len)
{
	int fd = -1;

	if (!vm->path) {
		char path[sizeof(dir) + 96];

		for (unsigned k = 1; k < 1000 && fd < 0; k++) {
			int n = k == 1 ?
				snprintf(path, sizeof(path), "%s/%s-%ld-vm%lu.trace", dir,
					 rec_driver_name(vm->file->drv), (long)c->pid,
					 vm->name_id) :
				snprintf(path, sizeof(path), "%s/%s-%ld-vm%lu-%u.trace", dir,
					 rec_driver_name(vm->file->drv), (long)c->pid,
					 vm->name_id, k);

			if (n < 0 || (size_t)n >= sizeof(path))
				break;
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EEXIST)
				break;
		}
		if (fd >= 0)
			vm->path = strdup(path);
	} else {
		fd = open(vm->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		if (!warned) {
			warned = true;
			fprintf(stderr, "gpuvm-record: cannot write a trace in %s: %s\n",
				dir, strerror(errno));
		}
		return;
	}
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text += n;
		len -= (size_t)n;
	}
	next_close(fd);
}

static void at_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void at_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void at_child(void)
{
	pthread_mutex_init(&lock, NULL);
	ctx.pid = getpid();
	set_time();
	rec_after_fork(&ctx);
}

static void init(void)
{
	const char *d = getenv("GPUVM_RECORD_DIR");
	const char *sync = getenv("GPUVM_RECORD_SYNC");

	next_ioctl = next_sym("ioctl");
	next_close = next_sym("close");
	next_close_range = next_sym("close_range");
	next_dup2 = next_sym("dup2");
	next_dup3 = next_sym("dup3");
	next_execve = next_sym("execve");
	next_execv = next_sym("execv");
	next_execvp = next_sym("execvp");
	next_execvpe = next_sym("execvpe");
	next_fexecve = next_sym("fexecve");
	if (d && *d)
		snprintf(dir, sizeof(dir), "%s", d);
	else if (!getcwd(dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), ".");
	read_cmdline();
	set_time();
	ctx.sink = file_sink;
	ctx.read = rec_read_self;
	ctx.pid = getpid();
	ctx.cmdline = cmdline;
	ctx.time = start_time;
	ctx.flush_threshold = sync && *sync == '1' ? 0 : 64 * 1024;
	pthread_atfork(at_prepare, at_parent, at_child);
}

__attribute__((constructor)) static void record_init(void)
{
	pthread_once(&once, init);
}

__attribute__((destructor)) static void record_fini(void)
{
	pthread_mutex_lock(&lock);
	rec_flush_all(&ctx);
	pthread_mutex_unlock(&lock);
}

static struct fd_ent *fd_ent(int fd)
{
	if (fd < 0 || fd >= (1 << 20))
		return NULL;
	if ((size_t)fd >= nfds) {
		size_t n = nfds ? nfds : 64;
		struct fd_ent *t;

		while (n <= (size_t)fd)
			n *= 2;
		t = realloc(fds, n * sizeof(*t));
		if (!t)
			return NULL;
		memset(t + nfds, 0, (n - nfds) * sizeof(*t));
		fds = t;
		nfds = n;
	}
	return &fds[fd];
}

static void fd_forget(int fd)
{
	struct fd_ent *e;

	if (fd < 0 || (size_t)fd >= nfds)
		return;
	e = &fds[fd];
	if (e->kind == FD_DRM && e->file && e->file->refs > 1) {
		struct rec_file *f = e->file;

		/* another descriptor now stands for the file (kcmp) */
		f->refs--;
		for (size_t i = 0; i < nfds && f->fd == fd; i++)
			if (fds[i].file == f && i != (size_t)fd)
				f->fd = (int)i;
	} else if (e->kind == FD_DRM && e->file && !--e->file->refs) {
		struct rec_file *f = e->file;

		/* the last descriptor of the file: the kernel drops its VMs */
		for (size_t i = 0; i < nfds; i++)
			if (fds[i].file == f && i != (size_t)fd)
				fds[i].file = NULL;
		rec_file_close(&ctx, f);
	}
	e->kind = FD_UNKNOWN;
	e->file = NULL;
}

/* Which DRM driver @fd belongs to, asked once with DRM_IOCTL_VERSION. */
static void identify(int fd, struct fd_ent *e)
{
	struct rec_drm_version v;
	char name[64];
	enum rec_driver drv;
	int saved = errno;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	e->kind = FD_OTHER;
	if (next_ioctl(fd, REC_IOCTL_VERSION, &v) == 0) {
		name[v.name_len < sizeof(name) - 1 ? v.name_len : sizeof(name) - 1] = '\0';
		drv = rec_driver_from_name(name);
		if (drv != REC_DRV_NONE) {
			/* another descriptor of the same open file? */
			for (struct rec_file *f = ctx.files; f; f = f->next) {
				if (f->drv == drv &&
				    syscall(SYS_kcmp, (long)ctx.pid, (long)ctx.pid,
					    KCMP_FILE, (long)f->fd, (long)fd) == 0) {
					e->kind = FD_DRM;
					e->file = f;
					f->refs++;
					goto out;
				}
			}
			e->file = rec_file_new(&ctx, drv, fd);
			if (e->file)
				e->kind = FD_DRM;
		}
	}
out:
	errno = saved;
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct fd_ent *e;
	va_list ap;
	void *arg;
	int ret, saved;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&once, init);
	if (!next_ioctl) {
		errno = ENOSYS;
		return -1;
	}
	ret = next_ioctl(fd, request, arg);
	if (ret != 0 || busy || _IOC_TYPE(request) != REC_DRM_TYPE)
		return ret;
	if (_IOC_NR(request) < REC_DRM_COMMAND_BASE &&
	    _IOC_NR(request) != REC_DRM_NR_GEM_CLOSE)
		return ret;
	saved = errno;
	busy = 1;
	pthread_mutex_lock(&lock);
	e = fd_ent(fd);
	if (e && e->kind == FD_UNKNOWN)
		identify(fd, e);
	if (e && e->kind == FD_DRM && e->file)
		rec_decode(&ctx, e->file, request, (uint64_t)(uintptr_t)arg);
	pthread_mutex_unlock(&lock);
	busy = 0;
	errno = saved;
	return ret;
}

/* Forget descriptors [first, last] before they are closed or replaced. */
static void forget_range(unsigned first, unsigned last)
{
	int saved = errno;

	if (busy)
		return;
	busy = 1;
	pthread_mutex_lock(&lock);
	for (size_t fd = first; fd <= last && fd < nfds; fd++)
		fd_forget((int)fd);
	pthread_mutex_unlock(&lock);
	busy = 0;
	errno = saved;
}

EXPORT int close(int fd)
{
	pthread_once(&once, init);
	if (fd >= 0)
		forget_range((unsigned)fd, (unsigned)fd);
	return next_close(fd);
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	pthread_once(&once, init);
	if (!next_close_range) {
		errno = ENOSYS;
		return -1;
	}
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		forget_range(first, last);
	return next_close_range(first, last, flags);
}

EXPORT int dup2(int oldfd, int newfd)
{
	pthread_once(&once, init);
	if (newfd >= 0 && newfd != oldfd && fcntl(oldfd, F_GETFD) >= 0)
		forget_range((unsigned)newfd, (unsigned)newfd);
	return next_dup2(oldfd, newfd);
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	pthread_once(&once, init);
	if (newfd >= 0 && newfd != oldfd && fcntl(oldfd, F_GETFD) >= 0)
		forget_range((unsigned)newfd, (unsigned)newfd);
	return next_dup3(oldfd, newfd, flags);
}

/* Before an exec replaces the process, write everything out. */
static void flush_for_exec(void)
{
	int saved = errno;

	pthread_once(&once, init);
	pthread_mutex_lock(&lock);
	rec_flush_all(&ctx);
	pthread_mutex_unlock(&lock);
	errno = saved;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	flush_for_exec();
	return next_execve(path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
	flush_for_exec();
	return next_execv(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	flush_for_exec();
	return next_execvp(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	flush_for_exec();
	return next_execvpe(file, argv, envp);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	flush_for_exec();
	return next_fexecve(fd, argv, envp);
}

/* execl, execlp, execle: gather the arguments, then the vector forms. */
enum exec_kind { EXEC_L, EXEC_LP, EXEC_LE };

static int exec_list(enum exec_kind kind, const char *path, const char *arg0,
		     va_list *ap)
{
	va_list cp;
	size_t n = 1;
	char **argv;
	int ret;

	va_copy(cp, *ap);
	while (va_arg(cp, char *))
		n++;
	va_end(cp);
	argv = malloc((n + 1) * sizeof(*argv));
	if (!argv) {
		errno = ENOMEM;
		return -1;
	}
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(*ap, char *);
	if (kind == EXEC_LE)
		ret = execve(path, argv, va_arg(*ap, char *const *));
	else if (kind == EXEC_LP)
		ret = execvp(path, argv);
	else
		ret = execv(path, argv);
	free(argv);
	return ret;
}

EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = exec_list(EXEC_L, path, arg, &ap);
	va_end(ap);
	return ret;
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = exec_list(EXEC_LP, file, arg, &ap);
	va_end(ap);
	return ret;
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg);
	ret = exec_list(EXEC_LE, path, arg, &ap);
	va_end(ap);
	return ret;
}
