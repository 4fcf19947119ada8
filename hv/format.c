// SPDX-License-Identifier: GPL-2.0-only
/* A small vsnprintf: enough for hv messages, no floating point. */
#include <hv/lib.h>
#include <hv/printk.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, u64 v, unsigned int base, bool upper, bool neg,
		    unsigned int width, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && pad == '0')
		put(o, '-');
	while (n + (neg ? 1 : 0) < width--)
		put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
}

/* A conversion's flags, width, precision and length. */
struct spec {
	unsigned int width, lng;
	int prec;	/* -1: none */
	bool prec_arg;	/* ".*": the precision is the next argument */
	bool left;
	char pad;
};

/* Reads the spec after '%'; returns the conversion character's position. */
static const char *parse_spec(const char *fmt, struct spec *sp)
{
	*sp = (struct spec){ .prec = -1, .pad = ' ' };
	if (*fmt == '-') {
		sp->left = true;
		fmt++;
	}
	if (*fmt == '0') {
		sp->pad = '0';
		fmt++;
	}
	while (*fmt >= '0' && *fmt <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*fmt++ - '0');
	if (*fmt == '.') {
		fmt++;
		sp->prec = 0;
		if (*fmt == '*') {
			sp->prec_arg = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp->prec = sp->prec * 10 + (*fmt++ - '0');
	}
	while (*fmt == 'l' || *fmt == 'z') {
		sp->lng++;
		fmt++;
	}
	return fmt;
}

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	unsigned int width = sp->width;
	size_t n;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	while (!sp->left && n < width--)
		put(o, ' ');
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	while (sp->left && n < width--)
		put(o, ' ');
}

int vsnprintf_hv(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		struct spec sp;
		u64 v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (sp.prec_arg)
			sp.prec += va_arg(ap, int);
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'd':
		case 'i': {
			s64 sv = sp.lng ? va_arg(ap, s64) : va_arg(ap, int);

			put_num(&o, sv < 0 ? -(u64)sv : (u64)sv, 10, false, sv < 0, sp.width, sp.pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			v = sp.lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			put_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, sp.width, sp.pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (u64)(uintptr_t)va_arg(ap, void *), 16, false, false, sp.width,
				sp.pad);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf_hv(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf_hv(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
