/*
 * mfs_write_files: write N small files into a MooseFS directory with a given goal,
 * without FUSE, through libmfsio.
 *
 *   mfs_write_files MASTER_HOST MASTER_PORT DIR COUNT GOAL [SIZE_BYTES]
 *
 * Creates DIR (absolute, e.g. /g3) if needed, sets its goal (files created in it inherit
 * it), then writes DIR/f000000 ... with SIZE_BYTES (default 65536) bytes each, so every file
 * is exactly one chunk. Files that already exist are overwritten. Exit status 0 = all
 * written; otherwise a message on stderr.
 *
 * Two builds of this one file:
 *   MooseFS 3.0.x (Debian's libmfsio-dev):
 *     gcc -O2 -Wall -o mfs_write_files mfs_write_files.c -lmfsio
 *     goal N = storage class id N (3.0.x predefines classes "1".."9").
 *   MooseFS 4.x (libmfsio of a 4.x build, PREFIX from tests/harness/moosefs4_build.py):
 *     gcc -O2 -Wall -DMFS_WRITE_FILES_V4 -I PREFIX/include -o mfs_write_files4 \
 *         mfs_write_files.c -L PREFIX/lib -Wl,-rpath,PREFIX/lib -lmfsio
 *     goal N = the storage class named "NCP" (N copies). A new 4.x filesystem predefines
 *     only 2CP (id 1), 3CP (id 2), EC4+1 (id 3) and EC8+1 (id 4), so the classic "goal"
 *     form of CLTOMA_FUSE_SETSCLASS (which takes the class *id*) would give goal 3 the class
 *     EC4+1. The 4.x build therefore sets the class by name, and creates "NCP" (N copies on
 *     any servers) with CLTOMA_SCLASS_CREATE first when the master says it does not exist.
 *
 * Used by tests/harness/mfscluster.py, which runs it inside the test network namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <mfsio.h>

/* Exported by libmfsio but not declared in mfsio.h (mfsclient/mastercomm.h): sends a packet
 * `qcmd` with payload `query` (the library adds msgid) and returns the reply's type and
 * payload after msgid. 3.0.x copies the payload into the caller's buffer (*answerleng: its
 * size in, the reply's size out); 4.x hands out a pointer to the library's own buffer. */
#ifdef MFS_WRITE_FILES_V4
extern uint8_t fs_custom(uint32_t qcmd, const uint8_t *query, uint32_t queryleng,
                         uint32_t *acmd, const uint8_t **answer, uint32_t *answerleng);
#else
extern uint8_t fs_custom(uint32_t qcmd, const uint8_t *query, uint32_t queryleng,
                         uint32_t *acmd, uint8_t *answer, uint32_t *answerleng);
#endif

#define CLTOMA_FUSE_SETSCLASS 448
#define MATOCL_FUSE_SETSCLASS 449
#define CLTOMA_SCLASS_CREATE 350
#define MATOCL_SCLASS_CREATE 351
#define STATUS_OK 0
#define STATUS_CLASSEXISTS 50
#define STATUS_NOSUCHCLASS 52

static void put32(uint8_t *p, uint32_t v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static uint32_t get32(const uint8_t *p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* One request/answer through fs_custom; the answer (at most `size` bytes) is copied into
 * `answer`. Returns the answer's length, or -1 (message printed) on an I/O error, an
 * unexpected answer type or an answer longer than `size`. */
static long custom(const char *what, uint32_t qcmd, uint32_t acmd_expected, const uint8_t *query,
                   uint32_t queryleng, uint8_t *answer, uint32_t size) {
	uint32_t acmd = 0, aleng = size;
#ifdef MFS_WRITE_FILES_V4
	const uint8_t *a = NULL;
	if (fs_custom(qcmd, query, queryleng, &acmd, &a, &aleng) != 0) {
		fprintf(stderr, "%s: fs_custom failed (I/O error)\n", what);
		return -1;
	}
	if (aleng > size) {
		fprintf(stderr, "%s: answer of %" PRIu32 " bytes is too long\n", what, aleng);
		return -1;
	}
	memcpy(answer, a, aleng);
#else
	if (fs_custom(qcmd, query, queryleng, &acmd, answer, &aleng) != 0) {
		fprintf(stderr, "%s: fs_custom failed (I/O error)\n", what);
		return -1;
	}
#endif
	if (acmd != acmd_expected) {
		fprintf(stderr, "%s: unexpected answer type %" PRIu32 "\n", what, acmd);
		return -1;
	}
	return (long)aleng;
}

/* The SETSCLASS reply: status:8 on error, else changed:32 notchanged:32 notpermitted:32
 * [quotaexceeded:32]. Returns 0 = set, or the master's status (> 0), or -1 (message
 * printed) for anything else. */
static int setsclass_reply(const uint8_t *a, long aleng) {
	if (aleng == 1) {
		return a[0] == STATUS_OK ? -1 : a[0];
	}
	if (aleng != 12 && aleng != 16) {
		fprintf(stderr, "setgoal: unexpected answer length %ld\n", aleng);
		return -1;
	}
	if (get32(a + 8) != 0) { /* notpermitted */
		fprintf(stderr, "setgoal: not permitted\n");
		return -1;
	}
	return 0;
}

#ifndef MFS_WRITE_FILES_V4

/* In 3.0.x a goal N (1..9) is the predefined storage class with id N. Payload
 * `inode:32 uid:32 goal:8 smode:8`, smode 0 = SMODE_SET on this inode only. */
static int set_goal(uint32_t inode, uint8_t goal) {
	uint8_t q[10], a[64];
	put32(q, inode);
	put32(q + 4, 0); /* uid root: the export maps root to 0 */
	q[8] = goal;
	q[9] = 0;
	long n = custom("setgoal", CLTOMA_FUSE_SETSCLASS, MATOCL_FUSE_SETSCLASS, q, sizeof(q), a,
	                sizeof(a));
	if (n < 0) {
		return -1;
	}
	int st = setsclass_reply(a, n);
	if (st > 0) {
		fprintf(stderr, "setgoal: master returned status %d\n", st);
	}
	return st == 0 ? 0 : -1;
}

#else /* MooseFS 4.x */

/* CLTOMA_SCLASS_CREATE, format version 6 (what mfsscadmin 4.59.2 sends to masters >= 4.57;
 * mfsmaster/matoclserv.c matoclserv_sclass_create): a class keeping `copies` full copies on
 * any servers ('*': an all-zero label expression), no create/archive/trash definitions.
 *   nleng:8 name fver:8=6 dleng:8 desc priority:32 export_group:8 admin_only:8
 *   labels_mode:8 arch_mode:8 arch_delay:16 arch_min_size:64 min_trashretention:16
 *   arch_ec:8 trash_ec:8 labels_mode[create,keep,arch,trash]:8x4 uniqmask[4]:32x4
 *   labelscnt[create,keep,arch,trash]:8x4, then labelscnt x 128-byte expressions.
 * Reply: status:8 (needs an admin session: the export has "admin"). */
static int create_copies_class(const char *name, uint8_t copies) {
	uint8_t q[256 + 9 * 128], a[16];
	uint32_t nleng = strlen(name), k = 0;
	q[k++] = nleng;
	memcpy(q + k, name, nleng);
	k += nleng;
	q[k++] = 6;     /* fver */
	q[k++] = 0;     /* dleng: no description */
	put32(q + k, 0); /* priority */
	k += 4;
	q[k++] = 0;     /* export_group */
	q[k++] = 0;     /* admin_only */
	q[k++] = 1;     /* labels_mode LABELS_MODE_STD (mfsscadmin's default) */
	q[k++] = 1;     /* arch_mode SCLASS_ARCH_MODE_CTIME (the master's default) */
	q[k++] = 0;     /* arch_delay:16 */
	q[k++] = 0;
	memset(q + k, 0, 8); /* arch_min_size */
	k += 8;
	q[k++] = 0;     /* min_trashretention:16 */
	q[k++] = 0;
	q[k++] = 0;     /* arch ec_data_chksum_parts */
	q[k++] = 0;     /* trash ec_data_chksum_parts */
	memset(q + k, 0xFF, 4); /* per-state labels_mode: LABELS_MODE_GLOBAL */
	k += 4;
	memset(q + k, 0, 16); /* uniqmasks */
	k += 16;
	q[k++] = 0;      /* create labelscnt */
	q[k++] = copies; /* keep labelscnt */
	q[k++] = 0;      /* arch labelscnt */
	q[k++] = 0;      /* trash labelscnt */
	memset(q + k, 0, (size_t)copies * 128);
	k += (uint32_t)copies * 128;
	long n = custom("create storage class", CLTOMA_SCLASS_CREATE, MATOCL_SCLASS_CREATE, q, k, a,
	                sizeof(a));
	if (n < 0) {
		return -1;
	}
	if (n != 1) {
		fprintf(stderr, "create storage class %s: unexpected answer length %ld\n", name, n);
		return -1;
	}
	if (a[0] != STATUS_OK && a[0] != STATUS_CLASSEXISTS) {
		fprintf(stderr, "create storage class %s: master returned status %u\n", name, a[0]);
		return -1;
	}
	return 0;
}

/* Set the class by name: payload `inode:32 uid:32 0xFF:8 smode:8 nleng:8 name`, smode 0 =
 * SMODE_SET on this inode only (mfsclient/tools_sclass.c set_sclass). */
static int set_class_by_name(uint32_t inode, const char *name) {
	uint8_t q[11 + 255], a[64];
	uint32_t nleng = strlen(name);
	put32(q, inode);
	put32(q + 4, 0); /* uid root: the export maps root to 0 */
	q[8] = 0xFF;
	q[9] = 0;
	q[10] = nleng;
	memcpy(q + 11, name, nleng);
	long n = custom("setgoal", CLTOMA_FUSE_SETSCLASS, MATOCL_FUSE_SETSCLASS, q, 11 + nleng, a,
	                sizeof(a));
	return n < 0 ? -1 : setsclass_reply(a, n);
}

static int set_goal(uint32_t inode, uint8_t goal) {
	char name[8];
	snprintf(name, sizeof(name), "%uCP", (unsigned)goal);
	int st = set_class_by_name(inode, name);
	if (st == STATUS_NOSUCHCLASS) {
		if (create_copies_class(name, goal) < 0) {
			return -1;
		}
		st = set_class_by_name(inode, name);
	}
	if (st > 0) {
		fprintf(stderr, "setgoal: master returned status %d for class %s\n", st, name);
	}
	return st == 0 ? 0 : -1;
}

#endif

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
#ifdef MFS_WRITE_FILES_V4
	mfs_set_defaults(&cfg); /* 4.x has more fields (timeouts, readahead, logging) */
#else
	memset(&cfg, 0, sizeof(cfg));
#endif
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
