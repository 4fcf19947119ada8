// SPDX-License-Identifier: GPL-2.0-only
/* hv options. docs/boot.md lists each with its default. */
#include <hv/lib.h>
#include <hv/options.h>
#include <hv/printk.h>

void options_defaults(struct hv_options *o)
{
	o->console = CONSOLE_COM1;
	o->capture_mem = CAPTURE_MEM_DEFAULT;
	o->dump_level = DUMP_LEVEL_DEFAULT;
	o->loglevel = LOG_INFO;
	o->triple_fault = TRIGGER_CAPTURE;
	o->crash_hypercall = TRIGGER_CAPTURE;
	o->nmi = TRIGGER_CAPTURE;
	o->pvpanic = TRIGGER_CAPTURE;
	o->capture_failure = FAILURE_REBOOT;
	o->capture_test = CAPTURE_TEST_NONE;
	o->iommu = IOMMU_AUTO;
	o->apic_trap = APIC_TRAP_BOOT;
	o->reload = RELOAD_ALLOW;
	o->restart = RESTART_OFF;
	o->capture_check = CAPTURE_CHECK_AUTO;
	o->watchdog = TRIGGER_CAPTURE;
	o->capture_timeout = CAPTURE_TIMEOUT_DEFAULT;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool val_is(const char *v, size_t vlen, const char *word)
{
	return strlen(word) == vlen && !strncmp(v, word, vlen);
}

/* The values an option that takes a word accepts, NULL-terminated. */
struct word {
	const char *word;
	int value;
};

static const struct word console_words[] = {
	{ "com1", CONSOLE_COM1 }, { "com2", CONSOLE_COM2 }, { "none", CONSOLE_NONE }, { NULL, 0 }
};
static const struct word loglevel_words[] = { { "err", LOG_ERR },   { "warn", LOG_WARN },
					      { "info", LOG_INFO }, { "debug", LOG_DEBUG },
					      { "0", LOG_ERR },	    { "1", LOG_WARN },
					      { "2", LOG_INFO },    { "3", LOG_DEBUG },
					      { NULL, 0 } };
static const struct word triple_fault_words[] = { { "capture", TRIGGER_CAPTURE },
						  { "report", TRIGGER_REPORT },
						  { NULL, 0 } };
static const struct word crash_hypercall_words[] = { { "capture", TRIGGER_CAPTURE },
						     { "refuse", TRIGGER_REFUSE },
						     { NULL, 0 } };
static const struct word nmi_words[] = { { "capture", TRIGGER_CAPTURE },
					 { "guest", TRIGGER_GUEST },
					 { NULL, 0 } };
static const struct word pvpanic_words[] = { { "capture", TRIGGER_CAPTURE },
					     { "off", TRIGGER_REFUSE },
					     { NULL, 0 } };
static const struct word capture_failure_words[] = { { "reboot", FAILURE_REBOOT },
						     { "halt", FAILURE_HALT },
						     { NULL, 0 } };
static const struct word capture_test_words[] = { { "none", CAPTURE_TEST_NONE },
						  { "corrupt", CAPTURE_TEST_CORRUPT },
						  { "slowpark", CAPTURE_TEST_SLOW_PARK },
						  { "nopark", CAPTURE_TEST_NO_PARK },
						  { NULL, 0 } };

static const struct word iommu_words[] = {
	{ "auto", IOMMU_AUTO }, { "required", IOMMU_REQUIRED }, { "off", IOMMU_OFF }, { NULL, 0 }
};

static const struct word apic_trap_words[] = { { "boot", APIC_TRAP_BOOT },
					       { "always", APIC_TRAP_ALWAYS },
					       { NULL, 0 } };

static const struct word reload_words[] = { { "allow", RELOAD_ALLOW },
					    { "lock", RELOAD_LOCK },
					    { NULL, 0 } };

static const struct word capture_check_words[] = { { "auto", CAPTURE_CHECK_AUTO },
						   { "full", CAPTURE_CHECK_FULL },
						   { NULL, 0 } };

static const struct word restart_words[] = { { "off", RESTART_OFF },
					     { "on", RESTART_ON },
					     { NULL, 0 } };

static int parse_capture_mem(const char *v, size_t vlen, struct hv_options *o)
{
	u64 size;

	if (parse_size(v, vlen, &size) || size > 512 * GiB)
		return -EINVAL;
	o->capture_mem = ALIGN_UP(size, CAPTURE_MEM_ALIGN);
	return 0;
}

static int parse_capture_lend(const char *v, size_t vlen, struct hv_options *o)
{
	u64 size;

	if (parse_size(v, vlen, &size) || size > 512 * GiB)
		return -EINVAL;
	o->capture_lend = ALIGN_UP(size, 2 * MiB);
	return 0;
}

/* Decimal digits only, at most max. */
static int parse_decimal(const char *v, size_t vlen, u64 max, u64 *out)
{
	u64 s = 0;

	if (!vlen || vlen > 5)
		return -EINVAL;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		s = s * 10 + (u64)(v[i] - '0');
	}
	if (s > max)
		return -EINVAL;
	*out = s;
	return 0;
}

/* Seconds: 0 (no bound) to a day. */
static int parse_capture_timeout(const char *v, size_t vlen, struct hv_options *o)
{
	u64 s;

	if (parse_decimal(v, vlen, CAPTURE_TIMEOUT_MAX, &s))
		return -EINVAL;
	o->capture_timeout = (u32)s;
	return 0;
}

static int parse_dump_level(const char *v, size_t vlen, struct hv_options *o)
{
	u64 d;

	if (parse_decimal(v, vlen, 31, &d))
		return -EINVAL;
	o->dump_level = (u32)d;
	return 0;
}

#define WORD_OPTION(name, words)                                                      \
	{                                                                             \
#name, NULL, words, __builtin_offsetof(struct hv_options, name), NULL \
	}

static const struct option {
	const char *key;
	int (*parse)(const char *v, size_t vlen, struct hv_options *o); /* or words: */
	const struct word *words;
	size_t field; /* int-sized (enum) field the word's value goes to */
	const char *expect;
} option_table[] = {
	WORD_OPTION(console, console_words),
	{ "capture_mem", parse_capture_mem, NULL, 0, "a size such as 256M or 1G (at most 512G)" },
	WORD_OPTION(loglevel, loglevel_words),
	WORD_OPTION(triple_fault, triple_fault_words),
	WORD_OPTION(crash_hypercall, crash_hypercall_words),
	WORD_OPTION(nmi, nmi_words),
	WORD_OPTION(pvpanic, pvpanic_words),
	WORD_OPTION(capture_failure, capture_failure_words),
	WORD_OPTION(capture_test, capture_test_words),
	WORD_OPTION(iommu, iommu_words),
	WORD_OPTION(apic_trap, apic_trap_words),
	WORD_OPTION(reload, reload_words),
	WORD_OPTION(restart, restart_words),
	WORD_OPTION(capture_check, capture_check_words),
	WORD_OPTION(watchdog, pvpanic_words), /* capture|off, as pvpanic= */
	{ "capture_timeout", parse_capture_timeout, NULL, 0,
	  "SECONDS, from 0 (no bound) to 86400" },
	{ "capture_lend", parse_capture_lend, NULL, 0, "a size such as 512M (at most 512G), or 0" },
	{ "dump_level", parse_dump_level, NULL, 0, "makedumpfile's dump level, 0 to 31" },
};

static int parse_value(const struct option *opt, const char *v, size_t vlen, struct hv_options *o)
{
	if (opt->parse)
		return opt->parse(v, vlen, o);
	for (const struct word *w = opt->words; w->word; w++) {
		if (val_is(v, vlen, w->word)) {
			BUILD_BUG_ON(sizeof(enum console_port) != sizeof(int));
			*(int *)((u8 *)o + opt->field) = w->value;
			return 0;
		}
	}
	return -EINVAL;
}

/* "com1, com2 or none" from the word list (digit aliases of loglevel as "0-3"). */
static void describe(const struct option *opt, char *buf, size_t size)
{
	size_t n = 0, count = 0;

	if (opt->expect) {
		strlcpy_hv(buf, opt->expect, size);
		return;
	}
	while (opt->words[count].word &&
	       !(opt->words[count].word[0] >= '0' && opt->words[count].word[0] <= '9'))
		count++;
	buf[0] = '\0';
	for (size_t i = 0; i < count && n < size; i++)
		n += (size_t)snprintf_hv(buf + n, size - n, "%s%s",
					 i == 0		? "" :
					 i + 1 == count ? " or " :
							  ", ",
					 opt->words[i].word);
	if (opt->words[count].word && n < size)
		snprintf_hv(buf + n, size - n, " or 0-%u", (unsigned int)count - 1);
}

static int parse_one(const char *tok, size_t len, struct hv_options *o, char *err, size_t errlen)
{
	const char *eq = tok;
	size_t klen, n;
	char what[96];

	while (eq < tok + len && *eq != '=')
		eq++;
	klen = (size_t)(eq - tok);
	for (unsigned int i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option *opt = &option_table[i];

		if (strlen(opt->key) != klen || strncmp(tok, opt->key, klen))
			continue;
		if (eq == tok + len || parse_value(opt, eq + 1, len - klen - 1, o)) {
			describe(opt, what, sizeof(what));
			snprintf_hv(err, errlen, "hv option \"%.*s\": expected %s=%s", (int)len,
				    tok, opt->key, what);
			return -EINVAL;
		}
		return 0;
	}
	n = (size_t)snprintf_hv(err, errlen, "unknown hv option \"%.*s\" (known:", (int)len, tok);
	for (unsigned int i = 0; i < ARRAY_SIZE(option_table) && n < errlen; i++)
		n += (size_t)snprintf_hv(err + n, errlen - n, "%s %s=", i ? "," : "",
					 option_table[i].key);
	if (n < errlen)
		snprintf_hv(err + n, errlen - n, ")");
	return -EINVAL;
}

int options_parse(const char *cmdline, struct hv_options *o, char *err, size_t errlen)
{
	const char *s = cmdline;

	for (;;) {
		size_t len = 0;
		int ret;

		while (*s && is_space(*s))
			s++;
		if (!*s)
			return 0;
		while (s[len] && !is_space(s[len]))
			len++;
		ret = parse_one(s, len, o, err, errlen);
		if (ret)
			return ret;
		s += len;
	}
}

enum console_port options_peek_console(const char *cmdline)
{
	struct hv_options o;
	const char *s = cmdline;

	options_defaults(&o);
	while ((s = strchr(s, 'c')) != NULL) {
		bool at_start = s == cmdline || is_space(s[-1]);

		if (at_start && !strncmp(s, "console=", 8)) {
			size_t len = 0;

			while (s[8 + len] && !is_space(s[8 + len]))
				len++;
			parse_value(&option_table[0], s + 8, len, &o);
		}
		s++;
	}
	return o.console;
}
