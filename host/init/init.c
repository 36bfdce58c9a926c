// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test initramfs, built against tools/include/nolibc for
 * every target architecture.  It runs the plan in /plan, one command a
 * line, then restarts the machine (QEMU runs with -no-reboot, so that
 * ends the run):
 *
 *   insmod <path> [module parameters]
 *   insmod-fails <path>	(the kernel must refuse the module)
 *   rmmod <module name>
 *   write <path> <text>	(sysfs is mounted on /sys, proc on /proc)
 *   echo <text>		(marks the console, e.g. around a refusal)
 *   insmod-faults <path>	(each allocation of the load fails in turn)
 *   churn <path> <count>	(load and unload, count times)
 *   slab-snapshot		(the slab caches' object counts, kept)
 *   slab-compare		(the caches that grew since the snapshot)
 *   kmemleak-clear		(forget the leaks found so far)
 *   kmemleak-scan		(scan for leaks, print what kmemleak found)
 *
 * Every command reports "scbench-init: <command>: ok" or
 * "scbench-init: <command>: FAILED (errno N)"; insmod-fails reports
 * "ok (errno N)" with the error the refusal gave, and the commands that
 * measure something say what in parentheses after "ok" (see each one).
 * The last line is "scbench-init: plan complete".  The host reads these
 * markers, and judges what the measurements show (scbench/report.py).
 *
 * Each marker is one write() to /dev/kmsg, so one printk record: the
 * console prints it whole, in order with the kernel's own messages.
 * Written to the console instead, a kernel message could land in the
 * middle of a marker (the tty sends user space output when the UART has
 * room, printk prints at once), and the host missed "plan complete".
 * Only if /dev/kmsg cannot be opened do the markers go to the console.
 */
#define PLAN_SIZE 4096
#define MARKER_MAX 512		/* /dev/kmsg takes records up to 1 KiB */

static int marker_fd = 1;	/* the console until /dev/kmsg is open */
static char marker[MARKER_MAX + 1];
static int marker_len;

static void add(const char *text)
{
	while (*text && marker_len < MARKER_MAX)
		marker[marker_len++] = *text++;
}

static void add_errno(long err)
{
	add(" (errno ");
	add(ltoa(err));
	add(")");
}

static void add_num(long n)
{
	add(ltoa(n));
}

/* Write the marker built so far in a single write(), then start anew. */
static void send(void)
{
	marker[marker_len++] = '\n';
	write(marker_fd, marker, marker_len);
	marker_len = 0;
}

static void say(const char *what)
{
	add("scbench-init: ");
	add(what);
	send();
}

/* "scbench-init: <line>: <verdict>", and the errno if there is one. */
static void verdict(const char *line, const char *word, long err)
{
	add("scbench-init: ");
	add(line);
	add(": ");
	add(word);
	if (err)
		add_errno(err);
	send();
}

static void report(const char *line, long ret)
{
	if (ret < 0)
		verdict(line, "FAILED", -ret);
	else
		verdict(line, "ok", 0);
}

static void open_kmsg(void)
{
	long fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0) {
		add("scbench-init: no /dev/kmsg, markers on the console");
		add_errno(errno);
		send();
		return;
	}
	marker_fd = fd;
}

/*
 * Before the restart: let the console show everything.  A record is
 * printed before its write() returns, unless another CPU holds the
 * console, which then prints it; the fallback's bytes wait in the tty.
 */
static void drain(void)
{
	ioctl(1, TCSBRK, (void *)1);	/* tcdrain() of the console */
	usleep(100000);
}

static long load_fd(long fd, const char *params)
{
	return my_syscall3(__NR_finit_module, fd, params, 0);
}

static long insmod_params(const char *path, const char *params)
{
	long fd, ret;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	ret = load_fd(fd, params);
	close(fd);
	return ret;
}

static long do_insmod(char *args)
{
	char *params = strchr(args, ' ');
	long ret;

	if (params)
		*params++ = '\0';
	ret = insmod_params(args, params ? params : "");
	if (params)
		params[-1] = ' ';
	return ret;
}

static long do_rmmod(const char *name)
{
	long ret;
	int tries;

	/* A module can stay busy for a moment while its suite winds down. */
	for (tries = 0; tries < 50; tries++) {
		ret = my_syscall2(__NR_delete_module, name, O_NONBLOCK);
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(100000);
	}
	return ret;
}

static long write_str(const char *path, const char *text)
{
	long fd, ret;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, text, strlen(text));
	if (ret < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static long do_write(char *args)
{
	char *text = strchr(args, ' ');
	long ret;

	if (!text)
		return -EINVAL;
	*text = '\0';
	ret = write_str(args, text + 1);
	*text = ' ';
	return ret;
}

static void run_insmod_fails(char *line, char *path)
{
	long ret = do_insmod(path);

	if (ret < 0)
		verdict(line, "ok", -ret);
	else
		verdict(line, "FAILED (loaded)", 0);
}

/* "scbench-init: <line>: FAILED (errno N) <why>", for steps of many parts. */
static void failed_because(const char *line, long err, const char *why)
{
	add("scbench-init: ");
	add(line);
	add(": FAILED");
	if (err)
		add_errno(err);
	add(" ");
	add(why);
	send();
}

/* The module's name: the file name without its directory and ".ko". */
static void module_name(const char *path, char *name, int size)
{
	const char *base = strrchr(path, '/');
	int len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	if (len >= size)
		len = size - 1;
	memcpy(name, base, len);
	name[len] = '\0';
}

/* Seconds of the clock, to tell how long a step took. */
static long now_s(void)
{
	struct timeval tv;

	if (gettimeofday(&tv, NULL) < 0)
		return 0;
	return tv.tv_sec;
}

/* nolibc's atol() takes no leading blanks. */
static long number_after_blanks(const char *text)
{
	while (*text == ' ')
		text++;
	return atol(text);
}

/* debugfs, for the fault-injection knobs and kmemleak: mounted once. */
static long need_debugfs(void)
{
	static int mounted;

	if (!mounted && mount("debugfs", "/sys/kernel/debug", "debugfs", 0,
			      NULL) < 0 && errno != EBUSY)
		return -errno;
	mounted = 1;
	return 0;
}

/*
 * Read a whole file into @buf (NUL-terminated); its length, or -errno.
 * What does not fit is left unread.
 */
static long read_file(const char *path, char *buf, long size)
{
	long fd, len = 0, got;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		got = read(fd, buf + len, size - 1 - len);
		if (got < 0) {
			got = -errno;
			close(fd);
			return got;
		}
		if (!got)
			break;
		len += got;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * insmod-faults <path>: make each allocation of the module's load fail in
 * turn.  /proc/thread-self/fail-nth set to N makes the N-th fault
 * injection point this task reaches fail (lib/fault-inject.c): with
 * failslab and fail_page_alloc told not to ignore allocations that may
 * sleep, order 0 or highmem ones, every slab and page allocation of the
 * load is such a point, so N = 1, 2, 3... fails each in turn, with no
 * change to the kernel.  Reading fail-nth back says whether the N-th was
 * reached: it counts down to 0 when it fails one.  The loop ends with the
 * first load that never reached the N-th point: it had no failure left to
 * meet, and that module is unloaded.
 *
 * A load that met its failure must fail with an error; one that succeeded
 * all the same (the failure fell where the kernel tolerates one) is
 * unloaded and counted; one that failed with no failure injected fails
 * the step.  Reports "ok (F failed loads: errno E first at N, ...; S loads
 * survived their fault; loaded at N)", and between the console markers
 * below the kernel's reports of failed allocations are expected.
 */
#define FAULTS_MAX	5000
#define FAULTS_BEGIN	"static_call_faults: injected allocation failures begin"
#define FAULTS_END	"static_call_faults: injected allocation failures end"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define ERRNOS_MAX	8

static const char *const fault_knobs[][2] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
};

static long set_fail_nth(long fd, long n)
{
	const char *text = ltoa(n);

	return write(fd, text, strlen(text)) < 0 ? -errno : 0;
}

/*
 * What is left of the count: 0 once the N-th point failed.  A read that
 * fails with EFAULT met the N-th point itself (the copy to user space is
 * one where FAULT_INJECTION_USERCOPY is built): the load did not.
 *
 * pread() at offset 0, because fail-nth cannot seek.  The offset is 64
 * bits: one register on 64-bit machines, which ignore the fifth
 * argument, and a pair (low, high) on i386.
 */
static long get_fail_nth(long fd)
{
	char text[24];
	long len;

	len = my_syscall5(__NR_pread64, fd, text, sizeof(text) - 1, 0, 0);
	if (len < 0)
		return len == -EFAULT ? 1 : len;
	text[len] = '\0';
	return atol(text);
}

struct fault_errnos {
	long err[ERRNOS_MAX];
	long first[ERRNOS_MAX];
	int count;
};

static void note_errno(struct fault_errnos *seen, long err, long n)
{
	int i;

	for (i = 0; i < seen->count; i++)
		if (seen->err[i] == err)
			return;
	if (seen->count < ERRNOS_MAX) {
		seen->err[seen->count] = err;
		seen->first[seen->count++] = n;
	}
}

static void run_insmod_faults(char *line, char *path)
{
	struct fault_errnos seen = { .count = 0 };
	long fd, nth, ret, left = 0, n, failed = 0, survived = 0;
	const char *why = NULL;
	char name[64];
	unsigned int i;

	module_name(path, name, sizeof(name));
	ret = need_debugfs();
	if (ret < 0) {
		failed_because(line, -ret, "mounting debugfs");
		return;
	}
	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		ret = write_str(fault_knobs[i][0], fault_knobs[i][1]);
		if (ret < 0) {
			failed_because(line, -ret, fault_knobs[i][0]);
			return;
		}
	}
	/* Both open before the loop: an open() allocates too. */
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		failed_because(line, errno, path);
		return;
	}
	nth = open(FAIL_NTH, O_RDWR);
	if (nth < 0) {
		failed_because(line, errno, FAIL_NTH);
		close(fd);
		return;
	}

	add(FAULTS_BEGIN);
	send();
	for (n = 1; n <= FAULTS_MAX; n++) {
		ret = set_fail_nth(nth, n);
		if (ret < 0) {
			why = "writing fail-nth";
			break;
		}
		ret = load_fd(fd, "");
		left = get_fail_nth(nth);
		set_fail_nth(nth, 0);
		if (left < 0) {
			ret = left;
			why = "reading fail-nth";
			break;
		}
		if (left > 0) {		/* nothing failed: the loop is done */
			why = "a load failed with no failure injected";
			break;
		}
		if (ret < 0) {
			failed++;
			note_errno(&seen, -ret, n);
			continue;
		}
		survived++;
		ret = do_rmmod(name);
		if (ret < 0) {
			why = "rmmod after a load that survived its failure";
			break;
		}
	}
	add(FAULTS_END);
	send();
	close(nth);
	close(fd);

	if (n > FAULTS_MAX) {
		failed_because(line, 0, "(a failure injected in every load up to the last allowed)");
		return;
	}
	if (ret < 0) {
		add("scbench-init: ");
		add(line);
		add(": FAILED");
		add_errno(-ret);
		add(" at ");
		add_num(n);
		add(" (");
		add(why);
		add(")");
		send();
		return;
	}
	ret = do_rmmod(name);
	if (ret < 0) {
		failed_because(line, -ret, "(rmmod of the last load)");
		return;
	}
	add("scbench-init: ");
	add(line);
	add(": ok (");
	add_num(failed);
	add(" failed loads:");
	for (i = 0; i < (unsigned int)seen.count; i++) {
		add(i ? ", errno " : " errno ");
		add_num(seen.err[i]);
		add(" first at ");
		add_num(seen.first[i]);
	}
	add("; ");
	add_num(survived);
	add(" loads survived their fault; loaded at ");
	add_num(n);
	add(")");
	send();
}

/*
 * churn <path> <count>: load and unload the module count times, pinned to
 * CPU 0 (static_call_churn_updater runs on another).  One marker at the
 * end, "ok (<count> cycles in S s)", or the cycle that failed.
 */
static long pin_to(unsigned long mask)
{
	return my_syscall3(__NR_sched_setaffinity, 0, sizeof(mask), &mask);
}

static void run_churn(char *line, char *args)
{
	char *count_text = strchr(args, ' ');
	const char *stage = "insmod";
	long count, cycle, ret, start;
	char name[64];

	if (!count_text) {
		verdict(line, "FAILED", EINVAL);
		return;
	}
	*count_text = '\0';
	count = atol(count_text + 1);
	module_name(args, name, sizeof(name));
	ret = pin_to(1);
	if (ret < 0) {
		*count_text = ' ';
		failed_because(line, -ret, "(pinning to CPU 0)");
		return;
	}
	start = now_s();
	for (cycle = 0; cycle < count; cycle++) {
		stage = "insmod";
		ret = insmod_params(args, "");
		if (ret < 0)
			break;
		stage = "rmmod";
		ret = do_rmmod(name);
		if (ret < 0)
			break;
	}
	pin_to(~0UL);
	*count_text = ' ';
	if (ret < 0) {
		add("scbench-init: ");
		add(line);
		add(": FAILED");
		add_errno(-ret);
		add(" in cycle ");
		add_num(cycle + 1);
		add(" (");
		add(stage);
		add(")");
		send();
		return;
	}
	add("scbench-init: ");
	add(line);
	add(": ok (");
	add_num(count);
	add(" cycles in ");
	add_num(now_s() - start);
	add(" s)");
	send();
}

/*
 * slab-snapshot and slab-compare: each cache's active objects, from
 * /proc/slabinfo (CONFIG_SLUB_DEBUG).  Counted after things settle, and
 * after every cache is shrunk (/sys/kernel/slab/<cache>/shrink): that
 * flushes the per-CPU slabs, whose free objects /proc/slabinfo counts as
 * active, and KASAN's quarantine, which holds freed objects back.
 *
 * That count is not exact: an allocation between a cache's shrink and
 * the read gives a CPU a slab again, and /proc/slabinfo counts all of
 * its objects, a hundred free ones in a kmalloc-16 slab.  So where a
 * cache records who allocated each object (slab_debug=U, which the
 * churn boots set for the kmalloc caches), its allocated objects are
 * counted instead from /sys/kernel/debug/slab/<cache>/alloc_traces,
 * which walks every slab of the cache (caches under debug keep no
 * per-CPU slabs) and groups the objects by allocation stack.  Exact as
 * long as slub could grow its table of places (GFP_ATOMIC, while it
 * walks): a place it had no room for is left out, silently.
 *
 * slab-compare prints one line per cache that grew, "slab grew: <cache>
 * <before> -> <after>", and for a traced cache one line per stack that
 * holds more objects than before, "slab trace: <cache> +<n> <where
 * allocated> < <caller> < ...", then "ok (C caches, K kmalloc, G grew)";
 * the host judges the growth.
 */
#define SLAB_CACHES	1024
#define SLAB_NAME	48
#define SETTLE_S	6	/* RCU, kfree_rcu() batches, deferred work */
#define TRACES		16384
#define TRACE_LABEL	240
#define TRACE_FRAMES	6	/* of each stack, in "slab trace" lines */

struct slab_count {
	char name[SLAB_NAME];
	long active;
	int traced;		/* active is alloc_traces' exact count */
	int first_trace, traces;	/* its stacks in the trace table */
};

struct trace {
	unsigned long long key;	/* a hash of the stack */
	long count;
};

struct slab_state {
	struct slab_count caches[SLAB_CACHES];
	int count;
	struct trace traces[TRACES];
	int trace_count;
};

static struct slab_state slab_before, slab_now;
static char trace_labels[TRACES][TRACE_LABEL];	/* slab_now's stacks */
static char slabinfo[256 * 1024];
static char trace_text[4 * 1024 * 1024];

/* @visit(path) for <dir>/<cache>/<file> of every cache under @dir. */
static void for_each_cache(const char *dir, const char *file,
			   void (*visit)(const char *path))
{
	static char dents[8192];
	char path[SLAB_NAME + 64];
	long fd, len, off;

	fd = open(dir, O_RDONLY);
	if (fd < 0)
		return;
	while ((len = getdents64(fd, (void *)dents, sizeof(dents))) > 0) {
		for (off = 0; off < len;) {
			struct linux_dirent64 *d = (void *)(dents + off);

			off += d->d_reclen;
			if (d->d_name[0] == '.' ||
			    strlen(d->d_name) >= SLAB_NAME)
				continue;
			strlcpy(path, dir, sizeof(path));
			strlcat(path, "/", sizeof(path));
			strlcat(path, d->d_name, sizeof(path));
			strlcat(path, file, sizeof(path));
			visit(path);
		}
	}
	close(fd);
}

static void shrink(const char *path)
{
	write_str(path, "1");
}

/*
 * debugfs allocates what it keeps of an open file (from kmalloc-512) the
 * first time the file is opened, and keeps it: open every alloc_traces
 * once before the snapshot, so that the count does not see its own reads.
 */
static void open_once(const char *path)
{
	long fd = open(path, O_RDONLY);

	if (fd >= 0)
		close(fd);
}

/* kmalloc-64, kmalloc-cg-64, dma-kmalloc-64, kmalloc-rnd-01-64... */
static int is_kmalloc(const char *name)
{
	for (; *name; name++)
		if (!strncmp(name, "kmalloc-", 8))
			return 1;
	return 0;
}

static unsigned long long hash_text(unsigned long long hash,
				     const char *text, long len)
{
	while (len--)
		hash = (hash ^ (unsigned char)*text++) * 0x100000001b3ULL;
	return hash;
}

/* Append @text (@len bytes) to @label, as far as it fits. */
static void label_add(char *label, const char *text, long len)
{
	long used = strlen(label);

	if (len > TRACE_LABEL - 1 - used)
		len = TRACE_LABEL - 1 - used;
	if (len > 0) {
		memcpy(label + used, text, len);
		label[used + len] = '\0';
	}
}

static long leading_blanks(const char *line)
{
	long n = 0;

	while (line[n] == ' ')
		n++;
	return n;
}

static char *line_end(char *line)
{
	char *end = strchr(line, '\n');

	return end ? end : line + strlen(line);
}

/* @word in [@text, @end), or @end. */
static char *find_before(char *text, char *end, const char *word)
{
	long len = strlen(word);

	for (; text + len <= end; text++)
		if (!strncmp(text, word, len))
			return text;
	return end;
}

/*
 * One entry of alloc_traces: "%7ld <where>[ waste=<all>/<each>] age=..
 * pid=..", then the stack, a frame a line indented by 8 blanks, then a
 * blank line.  slub makes an entry of each place, stack and waste per
 * object (the size asked for differs): all three make the key.  Its
 * count and key into @trace, its text into @label if there is one; the
 * line after it.
 */
static char *parse_trace(char *line, struct trace *trace, char *label)
{
	unsigned long long key = 0xcbf29ce484222325ULL;	/* FNV-1a */
	char *end = line_end(line), *where, *stop, *each;
	int frames = 0;

	trace->count = number_after_blanks(line);
	where = find_before(line + leading_blanks(line), end, " ");
	where += where < end;
	stop = find_before(where, end, " waste=");
	each = find_before(stop, end, "/");
	each += each < end;
	key = hash_text(key, each, find_before(each, end, " ") - each);
	stop = find_before(where, stop, " age=");
	key = hash_text(key, where, stop - where);
	if (label) {
		label[0] = '\0';
		label_add(label, where, stop - where);
	}
	for (line = *end ? end + 1 : end; !strncmp(line, "        ", 8);
	     line = *end ? end + 1 : end) {
		end = line_end(line);
		key = hash_text(key, line + 8, end - line - 8);
		if (label && frames++ < TRACE_FRAMES) {
			label_add(label, " < ", 3);
			label_add(label, line + 8, end - line - 8);
		}
	}
	trace->key = key;
	return line;
}

/* The count lines of alloc_traces have fewer than 8 leading blanks. */
static int is_count_line(const char *line)
{
	long blanks = leading_blanks(line);

	return blanks < 8 && line[blanks] >= '0' && line[blanks] <= '9';
}

/*
 * @cache's allocated objects by stack, into @state's trace table; their
 * sum, or -1 if the cache records no allocation stacks.
 */
static long read_traces(struct slab_state *state, struct slab_count *cache,
			int labels)
{
	char path[SLAB_NAME + 48];
	long len, total = 0;
	char *line;

	strlcpy(path, "/sys/kernel/debug/slab/", sizeof(path));
	strlcat(path, cache->name, sizeof(path));
	strlcat(path, "/alloc_traces", sizeof(path));
	len = read_file(path, trace_text, sizeof(trace_text));
	if (len <= 0 || len == sizeof(trace_text) - 1)
		return -1;	/* not traced, or too much to count */
	cache->first_trace = state->trace_count;
	for (line = trace_text; *line;) {
		struct trace *trace = &state->traces[state->trace_count];

		if (!is_count_line(line)) {
			line = line_end(line);
			line += *line == '\n';
			continue;
		}
		if (state->trace_count == TRACES) {
			state->trace_count = cache->first_trace;
			return -1;	/* the next caches may fit */
		}
		line = parse_trace(line, trace, labels ?
				   trace_labels[state->trace_count] : NULL);
		total += trace->count;
		state->trace_count++;
	}
	cache->traces = state->trace_count - cache->first_trace;
	return total;
}

/*
 * Each cache's active objects into @state; the number of caches, or
 * -errno.  @comparing: keep each stack's text, to show what grew; else
 * this is the snapshot, before which each trace file is opened once.
 */
static long count_slabs(struct slab_state *state, int comparing)
{
	char *line, *next, *field;
	struct slab_count *cache;
	long len, n = 0;

	need_debugfs();
	if (!comparing)
		for_each_cache("/sys/kernel/debug/slab", "/alloc_traces",
			       open_once);
	sleep(SETTLE_S);
	for_each_cache("/sys/kernel/slab", "/shrink", shrink);
	len = read_file("/proc/slabinfo", slabinfo, sizeof(slabinfo));
	if (len < 0)
		return len;
	state->trace_count = 0;
	for (line = slabinfo; *line && n < SLAB_CACHES; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		/* "slabinfo - version: 2.1", "# name <active_objs> ..." */
		if (!strncmp(line, "slabinfo", 8) || *line == '#')
			continue;
		field = strchr(line, ' ');
		if (!field || field - line >= SLAB_NAME)
			continue;
		*field++ = '\0';
		cache = &state->caches[n++];
		strcpy(cache->name, line);
		cache->active = number_after_blanks(field);
		cache->traced = 0;
		cache->traces = 0;
		if (is_kmalloc(cache->name)) {
			len = read_traces(state, cache, comparing);
			if (len >= 0) {
				cache->active = len;
				cache->traced = 1;
			}
		}
	}
	state->count = n;
	return n;
}

static void run_slab_snapshot(char *line)
{
	long n = count_slabs(&slab_before, 0);

	if (n <= 0) {
		slab_before.count = 0;
		failed_because(line, n < 0 ? -n : 0, "(reading /proc/slabinfo)");
		return;
	}
	add("scbench-init: ");
	add(line);
	add(": ok (");
	add_num(n);
	add(" caches)");
	send();
}

static const struct slab_count *cache_before(const char *name)
{
	int i;

	for (i = 0; i < slab_before.count; i++)
		if (!strcmp(slab_before.caches[i].name, name))
			return &slab_before.caches[i];
	return NULL;	/* a cache created since */
}

static long trace_count_before(const struct slab_count *cache,
			       unsigned long long key)
{
	int i;

	for (i = 0; cache && i < cache->traces; i++)
		if (slab_before.traces[cache->first_trace + i].key == key)
			return slab_before.traces[cache->first_trace + i].count;
	return 0;
}

/* "slab trace" for each stack of @now holding more objects than before. */
static void show_grown_traces(const struct slab_count *now,
			      const struct slab_count *before)
{
	int i, t;
	long grew;

	if (!now->traced || !before || !before->traced)
		return;
	for (i = 0; i < now->traces; i++) {
		t = now->first_trace + i;
		grew = slab_now.traces[t].count -
		       trace_count_before(before, slab_now.traces[t].key);
		if (grew <= 0)
			continue;
		add("scbench-init: slab trace: ");
		add(now->name);
		add(" +");
		add_num(grew);
		add(" ");
		add(trace_labels[t]);
		send();
	}
}

static void run_slab_compare(char *line)
{
	long n = count_slabs(&slab_now, 1), i, before, kmalloc = 0, grew = 0;
	const struct slab_count *now, *then;

	if (n <= 0 || !slab_before.count) {
		failed_because(line, n < 0 ? -n : 0, slab_before.count ?
			       "(reading /proc/slabinfo)" : "(no snapshot)");
		return;
	}
	for (i = 0; i < n; i++) {
		now = &slab_now.caches[i];
		then = cache_before(now->name);
		kmalloc += is_kmalloc(now->name);
		before = then ? then->active : 0;
		if (then && then->traced != now->traced)
			before = 0;	/* counted two ways: show it */
		if (now->active <= before)
			continue;
		grew++;
		add("scbench-init: slab grew: ");
		add(now->name);
		add(" ");
		add_num(before);
		add(" -> ");
		add_num(now->active);
		send();
		show_grown_traces(now, then);
	}
	add("scbench-init: ");
	add(line);
	add(": ok (");
	add_num(n);
	add(" caches, ");
	add_num(kmalloc);
	add(" kmalloc, ");
	add_num(grew);
	add(" grew)");
	send();
}

/*
 * kmemleak-clear and kmemleak-scan.  kmemleak reports a block only when
 * no reference to it was found and its contents did not change since the
 * previous scan (a changed checksum gives it another chance, and a new
 * block's first scan always finds it changed), and only blocks older than
 * five seconds: so each command waits that long, then scans twice.
 * kmemleak-clear then prints what was found (the boot's own leaks) and
 * clears it, "ok (N suspected leaks from before, cleared)"; kmemleak-scan
 * prints what was found since, "ok (N suspected leaks)": the host wants 0.
 * Each line of the report is printed too, up to KMEMLEAK_LINES.
 */
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define KMEMLEAK_LINES	120
#define KMEMLEAK_AGE_S	6

/* Print the report, line by line; the number of leaks, or -errno. */
static long kmemleak_report(void)
{
	static char chunk[4096];
	char text[MARKER_MAX - 32];
	long fd, got, i, leaks = 0, lines = 0, len = 0;

	fd = open(KMEMLEAK, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		for (i = 0; i < got; i++) {
			if (chunk[i] != '\n') {
				if (len < (long)sizeof(text) - 1)
					text[len++] = chunk[i];
				continue;
			}
			text[len] = '\0';
			len = 0;
			leaks += !strncmp(text, "unreferenced object", 19);
			if (lines++ < KMEMLEAK_LINES) {
				add("scbench-init: kmemleak| ");
				add(text);
				send();
			}
		}
	}
	got = got < 0 ? -errno : leaks;
	close(fd);
	return got;
}

static long kmemleak_scan_twice(void)
{
	long ret = need_debugfs();

	if (ret < 0)
		return ret;
	sleep(KMEMLEAK_AGE_S);
	ret = write_str(KMEMLEAK, "scan");
	if (ret >= 0)
		ret = write_str(KMEMLEAK, "scan");
	return ret < 0 ? ret : kmemleak_report();
}

static void run_kmemleak(char *line, int clear)
{
	long leaks = kmemleak_scan_twice(), ret = 0;

	if (leaks >= 0 && clear)
		ret = write_str(KMEMLEAK, "clear");
	if (leaks < 0 || ret < 0) {
		failed_because(line, leaks < 0 ? -leaks : -ret, KMEMLEAK);
		return;
	}
	add("scbench-init: ");
	add(line);
	add(": ok (");
	add_num(leaks);
	add(clear ? " suspected leaks from before, cleared)" :
	    " suspected leaks)");
	send();
}

static void run_line(char *line)
{
	long ret;

	if (!strncmp(line, "insmod-fails ", 13)) {
		run_insmod_fails(line, line + 13);
		return;
	}
	if (!strncmp(line, "echo ", 5)) {
		add(line + 5);
		send();
		return;
	}
	if (!strncmp(line, "insmod-faults ", 14)) {
		run_insmod_faults(line, line + 14);
		return;
	}
	if (!strncmp(line, "churn ", 6)) {
		run_churn(line, line + 6);
		return;
	}
	if (!strcmp(line, "slab-snapshot")) {
		run_slab_snapshot(line);
		return;
	}
	if (!strcmp(line, "slab-compare")) {
		run_slab_compare(line);
		return;
	}
	if (!strcmp(line, "kmemleak-clear") || !strcmp(line, "kmemleak-scan")) {
		run_kmemleak(line, !strcmp(line, "kmemleak-clear"));
		return;
	}
	if (!strncmp(line, "insmod ", 7))
		ret = do_insmod(line + 7);
	else if (!strncmp(line, "rmmod ", 6))
		ret = do_rmmod(line + 6);
	else if (!strncmp(line, "write ", 6))
		ret = do_write(line + 6);
	else
		ret = -EINVAL;
	report(line, ret);
}

static void run_plan(void)
{
	static char plan[PLAN_SIZE];
	char *line, *next;
	long fd, len;

	fd = open("/plan", O_RDONLY);
	if (fd < 0) {
		say("no /plan");
		return;
	}
	len = read(fd, plan, sizeof(plan) - 1);
	close(fd);
	if (len < 0)
		len = 0;
	plan[len] = '\0';

	for (line = plan; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line && *line != '#')
			run_line(line);
	}
	say("plan complete");
}

int main(void)
{
	open_kmsg();
	say("started");
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		say("mounting /sys failed");
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		say("mounting /proc failed");
	run_plan();
	drain();
	reboot(LINUX_REBOOT_CMD_RESTART);
	say("reboot failed");
	for (;;)
		sleep(1);
	return 0;
}
