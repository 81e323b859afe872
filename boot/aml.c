/*
 * AML byte-code writer. Encodings from ACPI 6.4 §20.2 (AML grammar) and §6.4
 * (resource descriptors); see aml.h for the error model.
 */
#include <errno.h>
#include <string.h>

#include "boot/aml.h"

/* §20.2.3 Data Objects Encoding, §20.2.5 Term Objects Encoding. */
enum {
	AML_ZERO_OP = 0x00,
	AML_ONE_OP = 0x01,
	AML_NAME_OP = 0x08,
	AML_BYTE_PREFIX = 0x0A,
	AML_WORD_PREFIX = 0x0B,
	AML_DWORD_PREFIX = 0x0C,
	AML_STRING_PREFIX = 0x0D,
	AML_QWORD_PREFIX = 0x0E,
	AML_SCOPE_OP = 0x10,
	AML_BUFFER_OP = 0x11,
	AML_PACKAGE_OP = 0x12,
	AML_DUAL_NAME_PREFIX = 0x2E,
	AML_MULTI_NAME_PREFIX = 0x2F,
	AML_EXT_OP_PREFIX = 0x5B,
	AML_ROOT_CHAR = 0x5C,
	AML_PARENT_PREFIX = 0x5E,
	AML_DEVICE_OP = 0x82, /* after AML_EXT_OP_PREFIX */
};

/* A PkgLength takes at most 4 bytes (§20.2.4). */
#define PKGLEN_MAX_BYTES 4

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->cap = cap;
	a->len = 0;
	a->err = 0;
}

int aml_finish(const struct aml *a)
{
	return a->err ? a->err : (int)a->len;
}

static void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->err)
		return;
	if (n > a->cap - a->len || a->len + n > (size_t)AML_PKGLEN_MAX) {
		aml_fail(a, -ENOSPC);
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* @n bytes of @v, least significant first (AML is little-endian, §20.2.3). */
static void aml_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

/* Bytes a PkgLength of @value takes: 6 bits in one byte, else 4 + 8 per extra byte. */
static int aml_pkglen_size(uint32_t value)
{
	if (value <= 0x3F)
		return 1;
	if (value <= 0xFFF)
		return 2;
	if (value <= 0xFFFFF)
		return 3;
	if (value <= AML_PKGLEN_MAX)
		return 4;
	return -EINVAL;
}

/*
 * §20.2.4: one byte holds values up to 63 in bits 0-5. Otherwise bits 7-6 of
 * the lead byte count the bytes that follow (1-3), its bits 3-0 are the
 * least significant nibble, and each following byte adds 8 more bits.
 */
int aml_pkglen_encode(uint32_t value, uint8_t out[4])
{
	int n = aml_pkglen_size(value);

	if (n < 0)
		return n;
	if (n == 1) {
		out[0] = (uint8_t)value;
		return 1;
	}
	out[0] = (uint8_t)(((n - 1) << 6) | (value & 0x0F));
	for (int i = 1; i < n; i++)
		out[i] = (uint8_t)(value >> (4 + 8 * (i - 1)));
	return n;
}

/* Open: one byte for the PkgLength, which is all most objects need. */
static size_t aml_pkg_open(struct aml *a)
{
	size_t mark = a->len;

	aml_byte(a, 0);
	return mark;
}

/*
 * The PkgLength counts itself, so pick the smallest size k whose encoding of
 * (contents + k) is k bytes long; when k > 1, slide the contents up to make
 * room. Nothing is ever written past the final length, so a buffer of the
 * exact size suffices.
 */
void aml_close(struct aml *a, size_t mark)
{
	uint8_t enc[PKGLEN_MAX_BYTES];
	size_t body;
	int k;

	if (a->err)
		return;
	if (mark >= a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	body = a->len - mark - 1;
	for (k = 1; k <= PKGLEN_MAX_BYTES; k++) {
		if (body + (size_t)k <= AML_PKGLEN_MAX &&
		    aml_pkglen_size((uint32_t)(body + (size_t)k)) == k)
			break;
	}
	if (k > PKGLEN_MAX_BYTES || aml_pkglen_encode((uint32_t)(body + (size_t)k), enc) != k ||
	    (size_t)(k - 1) > a->cap - a->len) {
		aml_fail(a, -ENOSPC);
		return;
	}
	memmove(a->buf + mark + k, a->buf + mark + 1, body);
	memcpy(a->buf + mark, enc, (size_t)k);
	a->len += (size_t)(k - 1);
}

static bool aml_name_char(char c, bool lead)
{
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !lead && c >= '0' && c <= '9';
}

/* Parse one NameSeg of 1-4 characters at *p into seg[4], '_'-padded. */
static int aml_name_seg(const char **p, uint8_t seg[4])
{
	const char *s = *p;
	unsigned n = 0;

	while (s[n] && s[n] != '.') {
		if (n == 4 || !aml_name_char(s[n], n == 0))
			return -EINVAL;
		seg[n] = (uint8_t)s[n];
		n++;
	}
	if (n == 0)
		return -EINVAL;
	for (unsigned i = n; i < 4; i++)
		seg[i] = '_';
	*p = s + n;
	return 0;
}

/* §20.2.2 Name Objects Encoding: prefixes, then NullName, a seg, Dual or Multi. */
void aml_name_string(struct aml *a, const char *path)
{
	uint8_t segs[255][4];
	unsigned nsegs = 0;
	const char *p = path;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		for (; *p == '^'; p++)
			aml_byte(a, AML_PARENT_PREFIX);
	}
	while (*p) {
		if (nsegs == ARRAY_SIZE(segs) || aml_name_seg(&p, segs[nsegs]) < 0) {
			aml_fail(a, -EINVAL);
			return;
		}
		nsegs++;
		if (*p == '.' && *++p == '\0') {
			aml_fail(a, -EINVAL); /* trailing dot */
			return;
		}
	}
	if (nsegs == 0) {
		aml_byte(a, AML_ZERO_OP); /* NullName */
		return;
	}
	if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	aml_bytes(a, segs, 4 * (size_t)nsegs);
}

/*
 * OnesOp is not used for all-ones: its width depends on the DSDT revision
 * (§19.6.96), a QWord does not.
 */
void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xFF) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xFFFF) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xFFFFFFFF) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/* §20.2.3: String := StringPrefix AsciiCharList NullChar, chars 0x01-0x7F. */
void aml_string(struct aml *a, const char *s)
{
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c > 0x7F) {
			aml_fail(a, -EINVAL);
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

/* §20.2.5.4: DefBuffer := BufferOp PkgLength BufferSize ByteList. */
void aml_buffer(struct aml *a, const void *data, size_t n)
{
	size_t mark;

	aml_byte(a, AML_BUFFER_OP);
	mark = aml_pkg_open(a);
	aml_integer(a, n);
	aml_bytes(a, data, n);
	aml_close(a, mark);
}

static int aml_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * ASL EISAID (§19.6.35): letters are 5 bits each ('A' = 1) packed into a
 * big-endian 16-bit word, followed by the product number as two bytes of
 * hex digits; the four bytes, read as a little-endian DWord, are the value.
 */
int aml_eisaid(const char *id, uint32_t *out)
{
	uint32_t letters = 0, product = 0;

	if (strlen(id) != 7)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return -EINVAL;
		letters = (letters << 5) | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		int d = aml_hex_digit(id[i]);

		if (d < 0)
			return -EINVAL;
		product = (product << 4) | (uint32_t)d;
	}
	*out = (letters >> 8) | ((letters & 0xFF) << 8) | ((product >> 8) << 16) |
	       ((product & 0xFF) << 24);
	return 0;
}

void aml_eisaid_integer(struct aml *a, const char *id)
{
	uint32_t v;

	if (aml_eisaid(id, &v) < 0) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, v, 4);
}

/* §20.2.5.1: DefName := NameOp NameString DataRefObject. */
void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

/* §20.2.5.1: DefScope := ScopeOp PkgLength NameString TermList. */
size_t aml_scope_open(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = aml_pkg_open(a);
	aml_name_string(a, name);
	return mark;
}

/* §20.2.5.2: DefDevice := DeviceOp PkgLength NameString TermList. */
size_t aml_device_open(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = aml_pkg_open(a);
	aml_name_string(a, name);
	return mark;
}

/* §20.2.5.4: DefPackage := PackageOp PkgLength NumElements PackageElementList. */
size_t aml_package_open(struct aml *a, uint8_t nelems)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = aml_pkg_open(a);
	aml_byte(a, nelems);
	return mark;
}

/*
 * Small resource descriptors (§6.4.2): byte 0 is tag << 3 | length. Large
 * ones (§6.4.3): byte 0 is 0x80 | tag, then a 16-bit length of the rest.
 */
enum {
	AML_RES_IRQ = 0x04 << 3 | 2, /* IRQ descriptor without the flags byte */
	AML_RES_IO = 0x08 << 3 | 7,  /* I/O port descriptor */
	AML_RES_END = 0x0F << 3 | 1, /* End Tag */
	AML_RES_MEM32_FIXED = 0x80 | 0x06,
	AML_RES_EXT_IRQ = 0x80 | 0x09,
};

void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	aml_byte(a, AML_RES_IO);
	aml_byte(a, 0x01); /* bit 0: decodes all 16 address bits */
	aml_le(a, min, 2);
	aml_le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

void aml_res_irq_noflags(struct aml *a, uint8_t irq)
{
	if (irq > 15) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_RES_IRQ);
	aml_le(a, 1u << irq, 2); /* IRQ mask: bit n is ISA IRQ n */
}

void aml_res_mem32_fixed(struct aml *a, bool writable, uint32_t base, uint32_t len)
{
	aml_byte(a, AML_RES_MEM32_FIXED);
	aml_le(a, 9, 2);
	aml_byte(a, writable ? 1 : 0);
	aml_le(a, base, 4);
	aml_le(a, len, 4);
}

void aml_res_interrupt(struct aml *a, uint8_t flags, uint32_t gsi)
{
	aml_byte(a, AML_RES_EXT_IRQ);
	aml_le(a, 6, 2); /* flags, table length and one 32-bit interrupt */
	aml_byte(a, flags);
	aml_byte(a, 1);
	aml_le(a, gsi, 4);
}

void aml_res_end(struct aml *a)
{
	aml_byte(a, AML_RES_END);
	aml_byte(a, 0);
}
