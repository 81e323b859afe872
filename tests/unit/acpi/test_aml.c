/* AML writer: PkgLength, integer, name and resource encodings, sticky errors. */
#include <errno.h>
#include <string.h>

#include "boot/aml.h"
#include "tests/test.h"

/* Compare what @a holds with @n expected bytes. */
static int aml_eq(const struct aml *a, const uint8_t *want, size_t n)
{
	return a->err == 0 && a->len == n && memcmp(a->buf, want, n) == 0;
}

#define EXPECT(a, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		CHECK(aml_eq((a), want_, sizeof(want_)));                                          \
	} while (0)

static void test_pkglen_encode(void)
{
	static const struct {
		uint32_t v;
		int n;
		uint8_t b[4];
	} cases[] = {
	    {0, 1, {0x00}},
	    {63, 1, {0x3F}},
	    {64, 2, {0x40, 0x04}},
	    {65, 2, {0x41, 0x04}},
	    {4095, 2, {0x4F, 0xFF}},
	    {4096, 3, {0x80, 0x00, 0x01}},
	    {0xFFFFF, 3, {0x8F, 0xFF, 0xFF}},
	    {0x100000, 4, {0xC0, 0x00, 0x00, 0x01}},
	    {0x0FFFFFFF, 4, {0xCF, 0xFF, 0xFF, 0xFF}},
	    {0x12345, 3, {0x85, 0x34, 0x12}},
	};
	uint8_t out[4];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(out, 0xEE, sizeof(out));
		CHECK_EQ(aml_pkglen_encode(cases[i].v, out), cases[i].n);
		CHECK(memcmp(out, cases[i].b, (size_t)cases[i].n) == 0);
	}
	CHECK_EQ(aml_pkglen_encode(0x10000000, out), -EINVAL);
	CHECK_EQ(aml_pkglen_encode(UINT32_MAX, out), -EINVAL);
}

/* Decode a PkgLength at @p; returns its byte count, the value in *v. */
static unsigned pkglen_decode(const uint8_t *p, uint32_t *v)
{
	unsigned extra = p[0] >> 6;

	if (extra == 0) {
		*v = p[0] & 0x3F;
		return 1;
	}
	*v = p[0] & 0x0F;
	for (unsigned i = 0; i < extra; i++)
		*v |= (uint32_t)p[1 + i] << (4 + 8 * i);
	return 1 + extra;
}

/*
 * A package whose contents (NumElements plus raw bytes) is @body bytes: the
 * PkgLength must count itself, be as short as possible, and the contents
 * must survive being slid down over the unused reservation.
 */
static void check_pkg_body(size_t body, unsigned want_bytes)
{
	static uint8_t buf[0x101000];
	static uint8_t raw[0x100000];
	struct aml a;
	uint32_t v;
	unsigned n;
	size_t mark;

	for (size_t i = 0; i < body - 1; i++)
		raw[i] = (uint8_t)(i * 7 + 3);
	aml_init(&a, buf, sizeof(buf));
	mark = aml_package_open(&a, 9);
	aml_bytes(&a, raw, body - 1);
	aml_close(&a, mark);
	CHECK_EQ(aml_finish(&a), 1 + want_bytes + body);
	CHECK_EQ(buf[0], 0x12); /* PackageOp */
	n = pkglen_decode(buf + 1, &v);
	CHECK_EQ(n, want_bytes);
	CHECK_EQ(v, want_bytes + body);
	CHECK_EQ(buf[1 + n], 9);
	CHECK(memcmp(buf + 2 + n, raw, body - 1) == 0);
}

static void test_pkglen_close(void)
{
	check_pkg_body(1, 1);
	check_pkg_body(62, 1);	    /* 62 + 1 = 63 */
	check_pkg_body(63, 2);	    /* 63 + 1 = 64 needs two bytes: 65 */
	check_pkg_body(4093, 2);    /* 4093 + 2 = 4095 */
	check_pkg_body(4094, 3);    /* 4094 + 2 = 4096 needs three bytes */
	check_pkg_body(0xFFFFC, 3); /* 0xFFFFC + 3 = 0xFFFFF */
	check_pkg_body(0xFFFFD, 4); /* 0xFFFFD + 3 = 0x100000 needs four */
}

static void test_nesting(void)
{
	uint8_t buf[64];
	struct aml a;
	size_t s, d;

	aml_init(&a, buf, sizeof(buf));
	s = aml_scope_open(&a, "_SB");
	d = aml_device_open(&a, "COM1");
	aml_name(&a, "_UID");
	aml_integer(&a, 0);
	aml_close(&a, d);
	aml_close(&a, s);
	EXPECT(&a, 0x10, 0x12, '_', 'S', 'B', '_', 0x5B, 0x82, 0x0B, 'C', 'O', 'M', '1', 0x08, '_',
	       'U', 'I', 'D', 0x00);
}

static void check_int(uint64_t v, const uint8_t *want, size_t n)
{
	uint8_t buf[16];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, v);
	CHECK(aml_eq(&a, want, n));
}

#define CHECK_INT(v, ...)                                                                          \
	do {                                                                                       \
		static const uint8_t w_[] = {__VA_ARGS__};                                         \
		check_int((v), w_, sizeof(w_));                                                    \
	} while (0)

static void test_integers(void)
{
	CHECK_INT(0, 0x00);
	CHECK_INT(1, 0x01);
	CHECK_INT(2, 0x0A, 0x02);
	CHECK_INT(0xFF, 0x0A, 0xFF);
	CHECK_INT(0x100, 0x0B, 0x00, 0x01);
	CHECK_INT(0xFFFF, 0x0B, 0xFF, 0xFF);
	CHECK_INT(0x10000, 0x0C, 0x00, 0x00, 0x01, 0x00);
	CHECK_INT(0xFFFFFFFF, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF);
	CHECK_INT(0x100000000ULL, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	CHECK_INT(0x0123456789ABCDEFULL, 0x0E, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01);
	CHECK_INT(UINT64_MAX, 0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
}

static int name_err(const char *path)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, path);
	return a.err;
}

static void test_names(void)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, "_S5");
	EXPECT(&a, '_', 'S', '5', '_');

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, "\\_SB.COM1");
	EXPECT(&a, 0x5C, 0x2E, '_', 'S', 'B', '_', 'C', 'O', 'M', '1');

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, "^^AB.C.D9");
	EXPECT(&a, 0x5E, 0x5E, 0x2F, 3, 'A', 'B', '_', '_', 'C', '_', '_', '_', 'D', '9', '_', '_');

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, "\\");
	EXPECT(&a, 0x5C, 0x00);

	CHECK_EQ(name_err("1ABC"), -EINVAL);
	CHECK_EQ(name_err("ABCDE"), -EINVAL);
	CHECK_EQ(name_err("abc"), -EINVAL);
	CHECK_EQ(name_err("A..B"), -EINVAL);
	CHECK_EQ(name_err("A."), -EINVAL);
	CHECK_EQ(name_err(".A"), -EINVAL);
	CHECK_EQ(name_err("\\^A"), -EINVAL);
	CHECK_EQ(name_err("A B"), -EINVAL);
}

static void test_eisaid(void)
{
	uint8_t buf[16];
	struct aml a;
	uint32_t v = 0;

	CHECK_EQ(aml_eisaid("PNP0501", &v), 0);
	CHECK_EQ(v, 0x0105D041);
	CHECK_EQ(aml_eisaid("PNP0C0C", &v), 0);
	CHECK_EQ(v, 0x0C0CD041);
	CHECK_EQ(aml_eisaid("PNP0000", &v), 0);
	CHECK_EQ(v, 0x0000D041);
	CHECK_EQ(aml_eisaid("ACPI0013", &v), -EINVAL);
	CHECK_EQ(aml_eisaid("pnp0501", &v), -EINVAL);
	CHECK_EQ(aml_eisaid("PNP05g1", &v), -EINVAL);
	CHECK_EQ(aml_eisaid("PNP050", &v), -EINVAL);

	/* EISAID is always a DWord, even when its value would fit a Word. */
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid_integer(&a, "PNP0000");
	EXPECT(&a, 0x0C, 0x41, 0xD0, 0x00, 0x00);
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid_integer(&a, "PNPX");
	CHECK_EQ(aml_finish(&a), -EINVAL);
}

static void test_objects(void)
{
	static const uint8_t data[3] = {0xAA, 0xBB, 0xCC};
	uint8_t buf[64];
	struct aml a;
	size_t p;

	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "LNRO0005");
	EXPECT(&a, 0x0D, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00);

	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "\xC3\xA9");
	CHECK_EQ(aml_finish(&a), -EINVAL);

	aml_init(&a, buf, sizeof(buf));
	aml_buffer(&a, data, sizeof(data));
	EXPECT(&a, 0x11, 0x06, 0x0A, 0x03, 0xAA, 0xBB, 0xCC);

	aml_init(&a, buf, sizeof(buf));
	aml_name(&a, "_S5");
	p = aml_package_open(&a, 4);
	aml_integer(&a, 5);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_close(&a, p);
	EXPECT(&a, 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00);
}

static void test_resources(void)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_res_io(&a, 0x3F8, 0x3F8, 1, 8);
	aml_res_irq_noflags(&a, 4);
	aml_res_end(&a);
	EXPECT(&a, 0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00);

	aml_init(&a, buf, sizeof(buf));
	aml_res_mem32_fixed(&a, true, 0xD0001000, 0x200);
	aml_res_interrupt(&a, AML_IRQ_CONSUMER, 17);
	EXPECT(&a, 0x86, 0x09, 0x00, 0x01, 0x00, 0x10, 0x00, 0xD0, 0x00, 0x02, 0x00, 0x00, 0x89,
	       0x06, 0x00, 0x01, 0x01, 0x11, 0x00, 0x00, 0x00);

	aml_init(&a, buf, sizeof(buf));
	aml_res_mem32_fixed(&a, false, 0, 1);
	aml_res_interrupt(&a, AML_IRQ_CONSUMER | AML_IRQ_EDGE | AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED,
			  0x12345678);
	EXPECT(&a, 0x86, 0x09, 0x00, 0x00, 0, 0, 0, 0, 1, 0, 0, 0, 0x89, 0x06, 0x00, 0x0F, 0x01,
	       0x78, 0x56, 0x34, 0x12);

	aml_init(&a, buf, sizeof(buf));
	aml_res_irq_noflags(&a, 15);
	EXPECT(&a, 0x22, 0x00, 0x80);
	aml_res_irq_noflags(&a, 16);
	CHECK_EQ(aml_finish(&a), -EINVAL);
}

/* A full buffer: the error sticks, nothing is written past the end. */
static void test_overflow(void)
{
	uint8_t buf[16];
	struct aml a;
	size_t s;

	memset(buf, 0xEE, sizeof(buf));
	aml_init(&a, buf, 8);
	aml_integer(&a, 0x1122334455667788ULL); /* 9 bytes */
	CHECK_EQ(aml_finish(&a), -ENOSPC);
	CHECK(a.len <= 8);
	s = a.len;
	aml_integer(&a, 1); /* would fit, but the error is sticky */
	CHECK_EQ(a.len, s);
	CHECK_EQ(aml_finish(&a), -ENOSPC);
	for (size_t i = 8; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xEE);

	/* Closing may grow the PkgLength; that growth must fit too. */
	aml_init(&a, buf, 6);
	s = aml_scope_open(&a, "AB");
	aml_close(&a, s);
	EXPECT(&a, 0x10, 0x05, 'A', 'B', '_', '_');
	aml_init(&a, buf, 5);
	s = aml_scope_open(&a, "AB");
	aml_close(&a, s);
	CHECK_EQ(aml_finish(&a), -ENOSPC);
	CHECK(a.len <= 5);

	/* A mark past the end is refused rather than trusted. */
	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, 0);
	aml_close(&a, 1);
	CHECK_EQ(aml_finish(&a), -EINVAL);
}

/* A package whose PkgLength grows to 2 bytes on close, in an exact-size buffer. */
static void test_exact_fit(void)
{
	uint8_t buf[80], raw[64];
	struct aml a;
	size_t p;

	memset(raw, 0x5A, sizeof(raw));
	memset(buf, 0xEE, sizeof(buf));
	aml_init(&a, buf, 68); /* op + 2-byte PkgLength + count + 64 */
	p = aml_package_open(&a, 1);
	aml_bytes(&a, raw, sizeof(raw));
	aml_close(&a, p);
	CHECK_EQ(aml_finish(&a), 68);
	/* Body 65 bytes + 2 = 67 = 0x43: lead 0x40 | 0x3, then 0x43 >> 4. */
	CHECK_EQ(buf[1], 0x43);
	CHECK_EQ(buf[2], 0x04);
	for (size_t i = 68; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xEE);

	aml_init(&a, buf, 67);
	p = aml_package_open(&a, 1);
	aml_bytes(&a, raw, sizeof(raw));
	aml_close(&a, p);
	CHECK_EQ(aml_finish(&a), -ENOSPC);
}

int main(void)
{
	test_pkglen_encode();
	test_pkglen_close();
	test_nesting();
	test_integers();
	test_names();
	test_eisaid();
	test_objects();
	test_resources();
	test_overflow();
	test_exact_fit();
	return test_result("acpi_aml");
}
