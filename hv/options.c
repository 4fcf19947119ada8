// SPDX-License-Identifier: GPL-2.0-only
/* hv options: console=, capture_mem=, loglevel=. See docs/boot.md. */
#include <hv/lib.h>
#include <hv/options.h>
#include <hv/printk.h>

void options_defaults(struct hv_options *o)
{
	o->console = CONSOLE_COM1;
	o->capture_mem = CAPTURE_MEM_DEFAULT;
	o->loglevel = LOG_INFO;
	o->triple_fault = TRIGGER_CAPTURE;
	o->crash_hypercall = TRIGGER_CAPTURE;
	o->nmi = TRIGGER_CAPTURE;
	o->pvpanic = TRIGGER_CAPTURE;
	o->capture_failure = FAILURE_REBOOT;
	o->test_corrupt = false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool val_is(const char *v, size_t vlen, const char *word)
{
	return strlen(word) == vlen && !strncmp(v, word, vlen);
}

static int parse_console(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "com1"))
		o->console = CONSOLE_COM1;
	else if (val_is(v, vlen, "com2"))
		o->console = CONSOLE_COM2;
	else if (val_is(v, vlen, "none"))
		o->console = CONSOLE_NONE;
	else
		return -EINVAL;
	return 0;
}

static int parse_capture_mem(const char *v, size_t vlen, struct hv_options *o)
{
	u64 size;

	if (parse_size(v, vlen, &size) || size > 512 * GiB)
		return -EINVAL;
	o->capture_mem = ALIGN_UP(size, CAPTURE_MEM_ALIGN);
	return 0;
}

static int parse_loglevel(const char *v, size_t vlen, struct hv_options *o)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (val_is(v, vlen, names[i]) || (vlen == 1 && v[0] == (char)('0' + i))) {
			o->loglevel = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_triple_fault(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "capture"))
		o->triple_fault = TRIGGER_CAPTURE;
	else if (val_is(v, vlen, "report"))
		o->triple_fault = TRIGGER_REPORT;
	else
		return -EINVAL;
	return 0;
}

static int parse_crash_hypercall(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "capture"))
		o->crash_hypercall = TRIGGER_CAPTURE;
	else if (val_is(v, vlen, "refuse"))
		o->crash_hypercall = TRIGGER_REFUSE;
	else
		return -EINVAL;
	return 0;
}

static int parse_nmi(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "capture"))
		o->nmi = TRIGGER_CAPTURE;
	else if (val_is(v, vlen, "guest"))
		o->nmi = TRIGGER_GUEST;
	else
		return -EINVAL;
	return 0;
}

static int parse_pvpanic(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "capture"))
		o->pvpanic = TRIGGER_CAPTURE;
	else if (val_is(v, vlen, "off"))
		o->pvpanic = TRIGGER_REFUSE;
	else
		return -EINVAL;
	return 0;
}

static int parse_capture_failure(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "reboot"))
		o->capture_failure = FAILURE_REBOOT;
	else if (val_is(v, vlen, "halt"))
		o->capture_failure = FAILURE_HALT;
	else
		return -EINVAL;
	return 0;
}

static int parse_capture_test(const char *v, size_t vlen, struct hv_options *o)
{
	if (val_is(v, vlen, "corrupt"))
		o->test_corrupt = true;
	else if (val_is(v, vlen, "none"))
		o->test_corrupt = false;
	else
		return -EINVAL;
	return 0;
}

static const struct {
	const char *key;
	int (*parse)(const char *v, size_t vlen, struct hv_options *o);
	const char *expect;
} option_table[] = {
	{ "console", parse_console, "com1, com2 or none" },
	{ "capture_mem", parse_capture_mem, "a size such as 256M or 1G (at most 512G)" },
	{ "loglevel", parse_loglevel, "err, warn, info, debug or 0-3" },
	{ "triple_fault", parse_triple_fault, "capture or report" },
	{ "crash_hypercall", parse_crash_hypercall, "capture or refuse" },
	{ "nmi", parse_nmi, "capture or guest" },
	{ "pvpanic", parse_pvpanic, "capture or off" },
	{ "capture_failure", parse_capture_failure, "reboot or halt" },
	{ "capture_test", parse_capture_test, "none or corrupt" },
};

static int parse_one(const char *tok, size_t len, struct hv_options *o, char *err, size_t errlen)
{
	const char *eq = tok;
	size_t klen;

	while (eq < tok + len && *eq != '=')
		eq++;
	klen = (size_t)(eq - tok);
	for (unsigned int i = 0; i < ARRAY_SIZE(option_table); i++) {
		if (strlen(option_table[i].key) != klen || strncmp(tok, option_table[i].key, klen))
			continue;
		if (eq == tok + len || option_table[i].parse(eq + 1, len - klen - 1, o)) {
			snprintf_hv(err, errlen, "hv option \"%.*s\": expected %s=%s", (int)len,
				    tok, option_table[i].key, option_table[i].expect);
			return -EINVAL;
		}
		return 0;
	}
	snprintf_hv(
		err, errlen,
		"unknown hv option \"%.*s\" (known: console=, capture_mem=, loglevel=, "
		"triple_fault=, crash_hypercall=, nmi=, pvpanic=, capture_failure=, capture_test=)",
		(int)len, tok);
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
			parse_console(s + 8, len, &o);
		}
		s++;
	}
	return o.console;
}
