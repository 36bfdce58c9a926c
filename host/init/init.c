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
 *   write <path> <text>	(sysfs is mounted on /sys)
 *   echo <text>		(marks the console, e.g. around a refusal)
 *
 * Every command reports "scbench-init: <command>: ok" or
 * "scbench-init: <command>: FAILED (errno N)"; insmod-fails reports
 * "ok (errno N)" with the error the refusal gave.  The last line is
 * "scbench-init: plan complete".  The host reads these markers.
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

static long do_insmod(char *args)
{
	char *params = strchr(args, ' ');
	long fd, ret;

	if (params)
		*params++ = '\0';
	fd = open(args, O_RDONLY);
	if (fd < 0)
		return -errno;
	ret = my_syscall3(__NR_finit_module, fd, params ? params : "", 0);
	close(fd);
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

static long do_write(char *args)
{
	char *text = strchr(args, ' ');
	long fd, ret;

	if (!text)
		return -EINVAL;
	*text = '\0';
	fd = open(args, O_WRONLY);
	*text++ = ' ';
	if (fd < 0)
		return -errno;
	ret = write(fd, text, strlen(text));
	if (ret < 0)
		ret = -errno;
	close(fd);
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
	run_plan();
	drain();
	reboot(LINUX_REBOOT_CMD_RESTART);
	say("reboot failed");
	for (;;)
		sleep(1);
	return 0;
}
