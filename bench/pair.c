/* pair.c - benchmark helper: time two commands in alternation (A B A B ...), CPU and
 * wall. */

/*
 * Timing one command's runs and then the other's lets a change in the machine's load
 * favour one side; alternating them spreads it over both. Each run is forked and waited
 * for with wait4(), whose rusage gives user and system time in microseconds (GNU time's
 * %U/%S are 10 ms ticks, too coarse for a 30 ms command), and its peak RSS.
 *
 *   pair [-n RUNS] [-w WARMUP] 'COMMAND A' 'COMMAND B'
 *
 * A command with a '|' runs under sh -c, otherwise its words are exec'd directly; output
 * goes to /dev/null. Prints one line: for A then B, the median wall seconds, the median
 * CPU (user + system) seconds and the median peak RSS in KiB, then the median of the
 * per-pair CPU ratios B/A. Exits 1 when a run fails.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

struct sample {
	double wall, cpu, rss;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *cmd, struct sample *ret)
{
	char *copy = strdup(cmd), *argv[64], *save = NULL;
	int argc = 0, status;
	struct rusage ru;

	if (strchr(cmd, '|')) {
		argv[argc++] = "sh";
		argv[argc++] = "-c";
		argv[argc++] = copy;
	} else {
		for (char *w = strtok_r(copy, " ", &save); w && argc < 63;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
	}
	argv[argc] = NULL;
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		free(copy);
		return -1;
	}
	ret->wall = now() - t0;
	ret->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	ret->rss = (double)ru.ru_maxrss;
	free(copy);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static struct sample a[MAX_RUNS], b[MAX_RUNS];
	static double va[MAX_RUNS], vb[MAX_RUNS], ratio[MAX_RUNS];
	int runs = 10, warmup = 1, opt;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2 || runs < 1 || runs > MAX_RUNS) {
		fputs("usage: pair [-n RUNS] [-w WARMUP] 'COMMAND A' 'COMMAND B'\n",
		      stderr);
		return 2;
	}
	const char *ca = argv[optind], *cb = argv[optind + 1];
	for (int i = 0; i < warmup; i++)
		if (run(ca, &a[0]) < 0 || run(cb, &b[0]) < 0)
			return 1;
	for (int i = 0; i < runs; i++) {
		/* A B, then B A: neither always runs right after the other */
		int first_b = i % 2;
		if (run(first_b ? cb : ca, first_b ? &b[i] : &a[i]) < 0 ||
		    run(first_b ? ca : cb, first_b ? &a[i] : &b[i]) < 0)
			return 1;
		ratio[i] = a[i].cpu > 0 ? b[i].cpu / a[i].cpu : 0;
	}
	double ma[3], mb[3]; /* medians of wall, CPU, RSS */
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < runs; i++) {
			va[i] = k == 0 ? a[i].wall : k == 1 ? a[i].cpu : a[i].rss;
			vb[i] = k == 0 ? b[i].wall : k == 1 ? b[i].cpu : b[i].rss;
		}
		ma[k] = median(va, runs);
		mb[k] = median(vb, runs);
	}
	printf("%.6f %.6f %.0f %.6f %.6f %.0f %.4f\n", ma[0], ma[1], ma[2], mb[0], mb[1],
	       mb[2], median(ratio, runs));
	return 0;
}
