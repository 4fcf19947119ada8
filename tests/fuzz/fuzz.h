/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer targets over the real hv sources (docs/testing.md, "Fuzzing").
 * Each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput(); this header
 * and tests/fuzz/harness.c give them the hv's log, a reader for the input,
 * invariant checks, and memory at fixed low addresses (the hv reads 32-bit
 * physical addresses) whose unused parts are poisoned for ASan.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <hv/types.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The last message the hv logged (every one is formatted), and how many. */
extern char fuzz_last_log[512];
extern unsigned int fuzz_log_count;

/* An invariant of the code under test failed: report it and abort (a crash). */
void fuzz_fail(const char *what, const char *file, int line) __noreturn;
#define fuzz_check(cond)                                      \
	do {                                                  \
		if (!(cond))                                  \
			fuzz_fail(#cond, __FILE__, __LINE__); \
	} while (0)

/*
 * True while fuzzing (run.sh sets FUZZ_KNOWN_BUGS=skip), false when replaying
 * reproducers: a target then passes over the inputs that hit a bug already
 * reported (each filter names it, tests/fuzz/regressions/ holds its
 * reproducer) so that fuzzing goes on to new ones. Remove a filter with the fix.
 */
bool fuzz_skip_known(void);

/* The input, taken from the front; once it runs out, fields read as zero. */
struct fuzz_in {
	const u8 *p;
	size_t n;
};

static inline size_t fuzz_get(struct fuzz_in *in, void *out, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	if (k)
		memcpy(out, in->p, k);
	memset((u8 *)out + k, 0, n - k);
	in->p += k;
	in->n -= k;
	return k;
}

static inline u8 fuzz_u8(struct fuzz_in *in)
{
	u8 v;

	fuzz_get(in, &v, sizeof(v));
	return v;
}

static inline u16 fuzz_u16(struct fuzz_in *in)
{
	u16 v;

	fuzz_get(in, &v, sizeof(v));
	return v;
}

static inline u32 fuzz_u32(struct fuzz_in *in)
{
	u32 v;

	fuzz_get(in, &v, sizeof(v));
	return v;
}

static inline u64 fuzz_u64(struct fuzz_in *in)
{
	u64 v;

	fuzz_get(in, &v, sizeof(v));
	return v;
}

/* Up to n bytes of the input in place (*got of them). */
static inline const u8 *fuzz_take(struct fuzz_in *in, size_t n, size_t *got)
{
	const u8 *p = in->p;

	*got = n < in->n ? n : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/*
 * size bytes mapped once at the fixed address addr (below 4 GiB where the hv
 * reads 32-bit pointers), all poisoned: a target unpoisons what it lays out,
 * so that ASan reports any read of the rest.
 */
void *fuzz_map_fixed(u64 addr, size_t size);
void fuzz_poison(const void *p, size_t size);
void fuzz_unpoison(const void *p, size_t size);

/* fuzz_hypercall: the file-scope state of the hv sources hv_statics.c compiles, afresh. */
void fuzz_reset_statics(void);

#endif /* FUZZ_H */
