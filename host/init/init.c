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
 */
#define PLAN_SIZE 4096

static void say(const char *a, const char *b, const char *c)
{
	printf("scbench-init: %s%s%s\n", a, b ? b : "", c ? c : "");
}

static void report(const char *line, long ret)
{
	if (ret < 0)
		printf("scbench-init: %s: FAILED (errno %ld)\n", line, -ret);
	else
		printf("scbench-init: %s: ok\n", line);
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
		printf("scbench-init: %s: ok (errno %ld)\n", line, -ret);
	else
		printf("scbench-init: %s: FAILED (loaded)\n", line);
}

static void run_line(char *line)
{
	long ret;

	if (!strncmp(line, "insmod-fails ", 13)) {
		run_insmod_fails(line, line + 13);
		return;
	}
	if (!strncmp(line, "echo ", 5)) {
		printf("%s\n", line + 5);
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
		say("no /plan", NULL, NULL);
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
	say("plan complete", NULL, NULL);
}

int main(void)
{
	say("started", NULL, NULL);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		say("mounting /sys failed", NULL, NULL);
	run_plan();
	reboot(LINUX_REBOOT_CMD_RESTART);
	say("reboot failed", NULL, NULL);
	for (;;)
		sleep(1);
	return 0;
}
