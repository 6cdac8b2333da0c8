/*
 * mfs_write_files: write N small files into a MooseFS directory with a given goal,
 * without FUSE, through libmfsio (package libmfsio-dev, MooseFS 3.0.x).
 *
 *   mfs_write_files MASTER_HOST MASTER_PORT DIR COUNT GOAL [SIZE_BYTES]
 *
 * Creates DIR (absolute, e.g. /g3) if needed, sets its goal (files created in it inherit
 * it), then writes DIR/f000000 ... with SIZE_BYTES (default 65536) bytes each, so every file
 * is exactly one chunk. Files that already exist are overwritten. Exit status 0 = all
 * written; otherwise a message on stderr.
 *
 * Used by tests/harness/mfscluster.py, which runs it inside the test network namespace.
 * Build: gcc -O2 -Wall -o mfs_write_files mfs_write_files.c -lmfsio
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <mfsio.h>

/* Exported by libmfsio but not declared in mfsio.h (mfsclient/mastercomm.h, 3.0.x):
 * sends a packet `qcmd`, payload `query` (the library adds msgid), and copies the reply
 * payload (after msgid) into `answer`; *answerleng is the buffer size in, reply size out. */
extern uint8_t fs_custom(uint32_t qcmd, const uint8_t *query, uint32_t queryleng,
                         uint32_t *acmd, uint8_t *answer, uint32_t *answerleng);

#define CLTOMA_FUSE_SETSCLASS 448
#define MATOCL_FUSE_SETSCLASS 449

static void put32(uint8_t *p, uint32_t v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static uint32_t get32(const uint8_t *p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* In 3.0.x a goal N (1..9) is the predefined storage class with id N. Payload
 * `inode:32 uid:32 goal:8 smode:8`, smode 0 = SMODE_SET on this inode only.
 * Reply: status:8 on error, else changed:32 notchanged:32 notpermitted:32 [quota:32]. */
static int set_goal(uint32_t inode, uint8_t goal) {
	uint8_t q[10], a[64];
	uint32_t acmd = 0, aleng = sizeof(a);
	put32(q, inode);
	put32(q + 4, 0); /* uid root: the export maps root to 0 */
	q[8] = goal;
	q[9] = 0;
	if (fs_custom(CLTOMA_FUSE_SETSCLASS, q, sizeof(q), &acmd, a, &aleng) != 0) {
		fprintf(stderr, "setgoal: fs_custom failed (I/O error)\n");
		return -1;
	}
	if (acmd != MATOCL_FUSE_SETSCLASS) {
		fprintf(stderr, "setgoal: unexpected answer type %" PRIu32 "\n", acmd);
		return -1;
	}
	if (aleng == 1) {
		fprintf(stderr, "setgoal: master returned status %u\n", a[0]);
		return -1;
	}
	if (aleng != 12 && aleng != 16) {
		fprintf(stderr, "setgoal: unexpected answer length %" PRIu32 "\n", aleng);
		return -1;
	}
	if (get32(a + 8) != 0) { /* notpermitted */
		fprintf(stderr, "setgoal: not permitted\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: %s MASTER_HOST MASTER_PORT DIR COUNT GOAL [SIZE_BYTES]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[3];
	long count = strtol(argv[4], NULL, 10);
	long goal = strtol(argv[5], NULL, 10);
	long size = argc > 6 ? strtol(argv[6], NULL, 10) : 65536;
	if (dir[0] != '/' || count < 0 || goal < 1 || goal > 9 || size < 1 || size > 64 << 20) {
		fprintf(stderr, "bad arguments (DIR must be absolute, GOAL 1..9, SIZE 1..64MiB)\n");
		return 2;
	}

	mfscfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.masterhost = argv[1];
	cfg.masterport = argv[2];
	cfg.mountpoint = "[mfs_write_files]"; /* shown as the session's mount point */
	cfg.masterpath = "/";
	cfg.read_cache_mb = 16;
	cfg.write_cache_mb = 16;
	cfg.io_try_cnt = 10;          /* bounded retries: fail instead of hanging for minutes */
	cfg.error_on_lost_chunk = 1;
	cfg.error_on_no_space = 1;
	if (mfs_init(&cfg, 0) < 0) {
		fprintf(stderr, "mfs_init: cannot connect to master %s:%s\n", argv[1], argv[2]);
		return 1;
	}

	int rc = 1;
	char *buf = malloc(size);
	if (buf == NULL) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	for (long i = 0; i < size; i++) {
		buf[i] = (char)('a' + i % 26);
	}
	if (mfs_mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
		goto out;
	}
	struct stat st;
	if (mfs_stat(dir, &st) < 0) {
		fprintf(stderr, "stat %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (set_goal((uint32_t)st.st_ino, (uint8_t)goal) < 0) {
		goto out;
	}
	for (long i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		int fd = mfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			fprintf(stderr, "open %s: %s\n", path, strerror(errno));
			goto out;
		}
		ssize_t w = mfs_write(fd, buf, size);
		if (w != size) {
			fprintf(stderr, "write %s: %s\n", path, w < 0 ? strerror(errno) : "short write");
			mfs_close(fd);
			goto out;
		}
		/* close flushes the write cache; its error is the write's real result */
		if (mfs_close(fd) < 0) {
			fprintf(stderr, "close %s: %s\n", path, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	mfs_term();
	return rc;
}
