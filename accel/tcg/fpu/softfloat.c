/*
 * Bit-exact IEEE 754-2019 binary32/binary64 arithmetic, see softfloat.h.
 *
 * Both formats share one implementation: operands are unpacked into a sign,
 * an unbounded exponent and a 63-bit significand whose leading one sits at
 * bit 62, so that value = sig * 2^(exp - 62). Operations compute an exact
 * result or an exact-enough one (bits shifted out are "jammed" into the
 * least significant bit as a sticky bit, with at least two guard bits above
 * it), and sf_round_pack() performs the single IEEE rounding into the
 * destination format. Products and the fused multiply-add use 128-bit
 * integers, so fma rounds only once (IEEE 754-2019 §5.4.1).
 */
#include "accel/tcg/fpu/softfloat.h"
#include "accel/tcg/fpu/hostfloat.h"

typedef unsigned __int128 sf_u128;

struct sf_fmt {
	int fbits;     /* stored fraction bits */
	int ebits;     /* exponent bits */
	int32_t bias;  /* exponent bias */
	int32_t emax;  /* all-ones biased exponent: inf and NaN */
	uint64_t cnan; /* canonical NaN, unpriv spec §11.3 */
};

static const struct sf_fmt sf_fmt32 = {23, 8, 127, 255, SF_F32_CANONICAL_NAN};
static const struct sf_fmt sf_fmt64 = {52, 11, 1023, 2047, SF_F64_CANONICAL_NAN};

enum sf_cls { SF_ZERO, SF_NORMAL, SF_INF, SF_QNAN, SF_SNAN };

/* A finite nonzero number is sig * 2^(exp - 62) with bit 62 of sig set. */
struct sf_num {
	enum sf_cls cls;
	bool sign;
	int32_t exp;
	uint64_t sig;
};

/* Rounding position of the discarded bits relative to half an ulp. */
enum sf_rem { SF_EXACT, SF_BELOW_HALF, SF_HALF, SF_ABOVE_HALF };

static bool sf_is_nan_cls(enum sf_cls c)
{
	return c == SF_QNAN || c == SF_SNAN;
}

static uint64_t sf_sign_bit(const struct sf_fmt *f, bool sign)
{
	return (uint64_t)sign << (f->fbits + f->ebits);
}

static uint64_t sf_frac_mask(const struct sf_fmt *f)
{
	return (1ull << f->fbits) - 1;
}

static uint64_t sf_zero(const struct sf_fmt *f, bool sign)
{
	return sf_sign_bit(f, sign);
}

static uint64_t sf_inf(const struct sf_fmt *f, bool sign)
{
	return sf_sign_bit(f, sign) | (uint64_t)f->emax << f->fbits;
}

static uint64_t sf_max_finite(const struct sf_fmt *f, bool sign)
{
	return sf_sign_bit(f, sign) | (uint64_t)(f->emax - 1) << f->fbits | sf_frac_mask(f);
}

/* Shift right by n, ORing every bit shifted out into bit 0. */
static uint64_t sf_jam64(uint64_t x, int n)
{
	if (n <= 0)
		return x;
	if (n >= 64)
		return x != 0;
	return (x >> n) | ((x << (64 - n)) != 0);
}

static sf_u128 sf_jam128(sf_u128 x, int n)
{
	if (n <= 0)
		return x;
	if (n >= 128)
		return x != 0;
	return (x >> n) | ((x << (128 - n)) != 0);
}

static int sf_top_bit128(sf_u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);

	if (hi)
		return 127 - __builtin_clzll(hi);
	return 63 - __builtin_clzll((uint64_t)x);
}

static struct sf_num sf_unpack(const struct sf_fmt *f, uint64_t bits)
{
	struct sf_num n = {.sign = (bits >> (f->fbits + f->ebits)) & 1};
	uint64_t frac = bits & sf_frac_mask(f);
	int32_t e = (int32_t)((bits >> f->fbits) & (uint64_t)f->emax);
	int k;

	if (e == f->emax) {
		if (!frac)
			n.cls = SF_INF;
		else /* the quiet bit is the fraction's MSB, unpriv spec §11.3 */
			n.cls = (frac >> (f->fbits - 1)) & 1 ? SF_QNAN : SF_SNAN;
		return n;
	}
	if (e == 0) {
		if (!frac) {
			n.cls = SF_ZERO;
			return n;
		}
		/* subnormal: same scale as the smallest normal, no hidden bit */
		n.cls = SF_NORMAL;
		n.sig = frac << (62 - f->fbits);
		n.exp = 1 - f->bias;
		k = __builtin_clzll(n.sig) - 1;
		n.sig <<= k;
		n.exp -= k;
		return n;
	}
	n.cls = SF_NORMAL;
	n.sig = (frac | 1ull << f->fbits) << (62 - f->fbits);
	n.exp = e - f->bias;
	return n;
}

/* sig >> shift, rounded by rm; sig < 2^63, shift >= 1. */
static uint64_t sf_round_shift(uint64_t sig, int shift, bool sign, enum sf_rm rm, bool *inexact)
{
	enum sf_rem rem;
	uint64_t q, r, half;
	bool up;

	if (shift >= 64) {
		q = 0;
		rem = sig ? SF_BELOW_HALF : SF_EXACT; /* sig < 2^63 <= half */
	} else {
		q = sig >> shift;
		r = sig & ((1ull << shift) - 1);
		half = 1ull << (shift - 1);
		rem = !r	  ? SF_EXACT
		      : r < half  ? SF_BELOW_HALF
		      : r == half ? SF_HALF
				  : SF_ABOVE_HALF;
	}
	*inexact = rem != SF_EXACT;
	if (rem == SF_EXACT)
		return q;
	switch (rm) {
	case SF_RTZ:
		up = false;
		break;
	case SF_RDN:
		up = sign;
		break;
	case SF_RUP:
		up = !sign;
		break;
	case SF_RMM:
		up = rem >= SF_HALF;
		break;
	default: /* SF_RNE; callers reject reserved encodings */
		up = rem == SF_ABOVE_HALF || (rem == SF_HALF && (q & 1));
		break;
	}
	return q + up;
}

static uint64_t sf_overflow(const struct sf_fmt *f, bool sign, enum sf_rm rm, uint32_t *flags)
{
	bool to_inf;

	/* IEEE 754-2019 §7.4: directed modes stop at the largest finite value */
	*flags |= SF_OF | SF_NX;
	switch (rm) {
	case SF_RTZ:
		to_inf = false;
		break;
	case SF_RDN:
		to_inf = sign;
		break;
	case SF_RUP:
		to_inf = !sign;
		break;
	default:
		to_inf = true;
		break;
	}
	return to_inf ? sf_inf(f, sign) : sf_max_finite(f, sign);
}

/* Result below the normal range: round at the subnormal position. */
static uint64_t sf_round_pack_tiny(const struct sf_fmt *f, bool sign, int32_t e, uint64_t sig,
				   enum sf_rm rm, uint32_t *flags)
{
	int extra = 62 - f->fbits;
	bool inexact, tiny;
	uint64_t q;

	/*
	 * Tininess after rounding (unpriv spec §11.2): tiny unless rounding to
	 * full precision with an unbounded exponent reaches 2^emin.
	 */
	q = sf_round_shift(sig, extra, sign, rm, &inexact);
	tiny = e < 0 || !(q >> (f->fbits + 1));
	q = sf_round_shift(sig, extra + 1 - e, sign, rm, &inexact);
	if (inexact) {
		*flags |= SF_NX;
		if (tiny)
			*flags |= SF_UF;
	}
	/* q == 2^fbits carries into the exponent field: the smallest normal */
	return sf_sign_bit(f, sign) | q;
}

/* Round sig * 2^(exp - 62) (sig != 0, any bit position) into format f. */
static uint64_t sf_round_pack(const struct sf_fmt *f, bool sign, int32_t exp, uint64_t sig,
			      enum sf_rm rm, uint32_t *flags)
{
	int extra = 62 - f->fbits;
	int32_t e;
	bool inexact;
	uint64_t q;
	int k;

	if (sig >> 63) {
		sig = sf_jam64(sig, 1);
		exp++;
	} else {
		k = __builtin_clzll(sig) - 1;
		sig <<= k;
		exp -= k;
	}
	e = exp + f->bias;
	if (e < 1)
		return sf_round_pack_tiny(f, sign, e, sig, rm, flags);
	q = sf_round_shift(sig, extra, sign, rm, &inexact);
	if (q >> (f->fbits + 1)) {
		q >>= 1; /* rounded up to the next power of two */
		e++;
	}
	if (e >= f->emax)
		return sf_overflow(f, sign, rm, flags);
	if (inexact)
		*flags |= SF_NX;
	/* the hidden bit in q adds one to the exponent field */
	return sf_sign_bit(f, sign) + ((uint64_t)(e - 1) << f->fbits) + q;
}

/* Round M * 2^(exp - 62) for a 128-bit M != 0. */
static uint64_t sf_round_pack128(const struct sf_fmt *f, bool sign, int32_t exp, sf_u128 m,
				 enum sf_rm rm, uint32_t *flags)
{
	int t = sf_top_bit128(m);

	if (t > 62) {
		m = sf_jam128(m, t - 62);
		exp += t - 62;
	}
	return sf_round_pack(f, sign, exp, (uint64_t)m, rm, flags);
}

static uint64_t sf_pack_exact(const struct sf_fmt *f, const struct sf_num *n)
{
	uint32_t ignored = 0;

	return sf_round_pack(f, n->sign, n->exp, n->sig, SF_RNE, &ignored);
}

/* Any NaN operand: NV if one is signaling, canonical NaN result. */
static uint64_t sf_nan2(const struct sf_fmt *f, const struct sf_num *x, const struct sf_num *y,
			uint32_t *flags)
{
	if (x->cls == SF_SNAN || y->cls == SF_SNAN)
		*flags |= SF_NV;
	return f->cnan;
}

static uint64_t sf_invalid(const struct sf_fmt *f, uint32_t *flags)
{
	*flags |= SF_NV;
	return f->cnan;
}

static uint64_t sf_add_finite(const struct sf_fmt *f, struct sf_num x, struct sf_num y,
			      enum sf_rm rm, uint32_t *flags)
{
	struct sf_num t;
	uint64_t ys, s;

	if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
		t = x;
		x = y;
		y = t;
	}
	ys = sf_jam64(y.sig, x.exp - y.exp);
	if (x.sign == y.sign)
		return sf_round_pack(f, x.sign, x.exp, x.sig + ys, rm, flags);
	s = x.sig - ys;
	if (!s) /* exact cancellation, IEEE 754-2019 §6.3 */
		return sf_zero(f, rm == SF_RDN);
	return sf_round_pack(f, x.sign, x.exp, s, rm, flags);
}

static uint64_t sf_add(const struct sf_fmt *f, uint64_t a, uint64_t b, bool negate_b, enum sf_rm rm,
		       uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b);

	y.sign ^= negate_b;
	if (sf_is_nan_cls(x.cls) || sf_is_nan_cls(y.cls))
		return sf_nan2(f, &x, &y, flags);
	if (x.cls == SF_INF) {
		if (y.cls == SF_INF && x.sign != y.sign)
			return sf_invalid(f, flags);
		return sf_inf(f, x.sign);
	}
	if (y.cls == SF_INF)
		return sf_inf(f, y.sign);
	if (x.cls == SF_ZERO && y.cls == SF_ZERO)
		return sf_zero(f, x.sign == y.sign ? x.sign : rm == SF_RDN);
	if (x.cls == SF_ZERO)
		return sf_pack_exact(f, &y);
	if (y.cls == SF_ZERO)
		return sf_pack_exact(f, &x);
	return sf_add_finite(f, x, y, rm, flags);
}

static uint64_t sf_mul(const struct sf_fmt *f, uint64_t a, uint64_t b, enum sf_rm rm,
		       uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b);
	bool sign = x.sign ^ y.sign;
	sf_u128 p;

	if (sf_is_nan_cls(x.cls) || sf_is_nan_cls(y.cls))
		return sf_nan2(f, &x, &y, flags);
	if ((x.cls == SF_INF && y.cls == SF_ZERO) || (x.cls == SF_ZERO && y.cls == SF_INF))
		return sf_invalid(f, flags);
	if (x.cls == SF_INF || y.cls == SF_INF)
		return sf_inf(f, sign);
	if (x.cls == SF_ZERO || y.cls == SF_ZERO)
		return sf_zero(f, sign);
	/* p * 2^(x.exp + y.exp - 124) is the exact product */
	p = (sf_u128)x.sig * y.sig;
	return sf_round_pack128(f, sign, x.exp + y.exp - 62, p, rm, flags);
}

static uint64_t sf_div(const struct sf_fmt *f, uint64_t a, uint64_t b, enum sf_rm rm,
		       uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b);
	bool sign = x.sign ^ y.sign;
	sf_u128 n;
	uint64_t q;

	if (sf_is_nan_cls(x.cls) || sf_is_nan_cls(y.cls))
		return sf_nan2(f, &x, &y, flags);
	if (x.cls == y.cls && (x.cls == SF_INF || x.cls == SF_ZERO))
		return sf_invalid(f, flags);
	if (x.cls == SF_INF || y.cls == SF_ZERO) {
		if (x.cls != SF_INF) /* finite nonzero / 0, IEEE 754-2019 §7.3 */
			*flags |= SF_DZ;
		return sf_inf(f, sign);
	}
	if (x.cls == SF_ZERO || y.cls == SF_INF)
		return sf_zero(f, sign);
	/* q ~ x.sig / y.sig * 2^63 in (2^62, 2^64); the remainder is sticky */
	n = (sf_u128)x.sig << 63;
	q = (uint64_t)(n / y.sig);
	q |= (n % y.sig) != 0;
	return sf_round_pack(f, sign, x.exp - y.exp - 1, q, rm, flags);
}

/* Integer square root of n; *inexact when n is not a perfect square. */
static uint64_t sf_isqrt128(sf_u128 n, bool *inexact)
{
	sf_u128 res = 0, bit = (sf_u128)1 << 126;

	while (bit > n)
		bit >>= 2;
	while (bit) {
		if (n >= res + bit) {
			n -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	*inexact = n != 0;
	return (uint64_t)res;
}

static uint64_t sf_sqrt(const struct sf_fmt *f, uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a);
	bool odd, inexact;
	uint64_t r;
	int32_t half;

	if (sf_is_nan_cls(x.cls))
		return sf_nan2(f, &x, &x, flags);
	if (x.cls == SF_ZERO) /* sqrt(-0) = -0, IEEE 754-2019 §5.4.1 */
		return sf_zero(f, x.sign);
	if (x.sign)
		return sf_invalid(f, flags);
	if (x.cls == SF_INF)
		return sf_inf(f, false);
	/* make the exponent even; r in [2^63, 2^64) */
	odd = x.exp & 1;
	half = (x.exp - odd) / 2;
	r = sf_isqrt128((sf_u128)x.sig << (64 + odd), &inexact);
	return sf_round_pack(f, false, half - 1, r | inexact, rm, flags);
}

/* A nonzero finite value as m * 2^(e - 125) with the top bit of m at 125. */
struct sf_wide {
	bool sign;
	int32_t e;
	sf_u128 m;
};

static uint64_t sf_fma_finite(const struct sf_fmt *f, const struct sf_num *x,
			      const struct sf_num *y, const struct sf_num *z, enum sf_rm rm,
			      uint32_t *flags)
{
	struct sf_wide p = {x->sign ^ y->sign, x->exp + y->exp, (sf_u128)x->sig * y->sig};
	struct sf_wide c = {z->sign, z->exp, (sf_u128)z->sig << 63};
	struct sf_wide t;
	sf_u128 s;

	if (p.m >> 125)
		p.e++;
	else
		p.m <<= 1;
	if (p.e < c.e || (p.e == c.e && p.m < c.m)) {
		t = p;
		p = c;
		c = t;
	}
	/* both have >= 20 zero low bits: a shift by 0 or 1 is exact */
	c.m = sf_jam128(c.m, p.e - c.e);
	if (p.sign == c.sign) {
		s = p.m + c.m;
	} else {
		s = p.m - c.m;
		if (!s) /* exact cancellation, IEEE 754-2019 §6.3 */
			return sf_zero(f, rm == SF_RDN);
	}
	return sf_round_pack128(f, p.sign, p.e - 63, s, rm, flags);
}

static uint64_t sf_fma(const struct sf_fmt *f, uint64_t a, uint64_t b, uint64_t c, enum sf_rm rm,
		       uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b), z = sf_unpack(f, c);
	bool psign = x.sign ^ y.sign;

	if (x.cls == SF_SNAN || y.cls == SF_SNAN || z.cls == SF_SNAN)
		*flags |= SF_NV;
	/* unpriv spec §11.6: inf * 0 is invalid even when the addend is a qNaN */
	if ((x.cls == SF_INF && y.cls == SF_ZERO) || (x.cls == SF_ZERO && y.cls == SF_INF))
		return sf_invalid(f, flags);
	if (sf_is_nan_cls(x.cls) || sf_is_nan_cls(y.cls) || sf_is_nan_cls(z.cls))
		return f->cnan;
	if (x.cls == SF_INF || y.cls == SF_INF) {
		if (z.cls == SF_INF && z.sign != psign)
			return sf_invalid(f, flags);
		return sf_inf(f, psign);
	}
	if (z.cls == SF_INF)
		return sf_inf(f, z.sign);
	if (x.cls == SF_ZERO || y.cls == SF_ZERO) {
		if (z.cls == SF_ZERO)
			return sf_zero(f, psign == z.sign ? psign : rm == SF_RDN);
		return sf_pack_exact(f, &z);
	}
	if (z.cls == SF_ZERO) /* the product alone, rounded once */
		return sf_round_pack128(f, psign, x.exp + y.exp - 62, (sf_u128)x.sig * y.sig, rm,
					flags);
	return sf_fma_finite(f, &x, &y, &z, rm, flags);
}

/* Total order key for non-NaN values where -0 sorts below +0. */
static int64_t sf_order_key(const struct sf_fmt *f, uint64_t bits)
{
	uint64_t mag = bits & (sf_sign_bit(f, true) - 1);

	if (bits & sf_sign_bit(f, true))
		return -(int64_t)mag - 1;
	return (int64_t)mag;
}

static uint64_t sf_minmax(const struct sf_fmt *f, uint64_t a, uint64_t b, bool want_max,
			  uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b);
	bool a_less;

	/* unpriv spec §11.6: sNaN inputs raise NV even when a number is returned */
	if (x.cls == SF_SNAN || y.cls == SF_SNAN)
		*flags |= SF_NV;
	if (sf_is_nan_cls(x.cls) && sf_is_nan_cls(y.cls))
		return f->cnan;
	if (sf_is_nan_cls(x.cls))
		return b;
	if (sf_is_nan_cls(y.cls))
		return a;
	a_less = sf_order_key(f, a) < sf_order_key(f, b);
	return a_less != want_max ? a : b;
}

enum sf_cmp { SF_CMP_EQ, SF_CMP_LT, SF_CMP_LE };

static bool sf_compare(const struct sf_fmt *f, uint64_t a, uint64_t b, enum sf_cmp op,
		       uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a), y = sf_unpack(f, b);
	int64_t ka, kb;

	if (sf_is_nan_cls(x.cls) || sf_is_nan_cls(y.cls)) {
		/* feq is quiet; flt/fle signal on any NaN (unpriv spec §11.8) */
		if (op != SF_CMP_EQ || x.cls == SF_SNAN || y.cls == SF_SNAN)
			*flags |= SF_NV;
		return false;
	}
	if (x.cls == SF_ZERO && y.cls == SF_ZERO) /* -0 == +0 */
		return op != SF_CMP_LT;
	ka = sf_order_key(f, a);
	kb = sf_order_key(f, b);
	switch (op) {
	case SF_CMP_EQ:
		return ka == kb;
	case SF_CMP_LT:
		return ka < kb;
	default:
		return ka <= kb;
	}
}

static uint32_t sf_class(const struct sf_fmt *f, uint64_t a)
{
	struct sf_num x = sf_unpack(f, a);
	bool subnormal = !((a >> f->fbits) & (uint64_t)f->emax);

	switch (x.cls) {
	case SF_SNAN:
		return SF_CLASS_SNAN;
	case SF_QNAN:
		return SF_CLASS_QNAN;
	case SF_INF:
		return x.sign ? SF_CLASS_NEG_INF : SF_CLASS_POS_INF;
	case SF_ZERO:
		return x.sign ? SF_CLASS_NEG_ZERO : SF_CLASS_POS_ZERO;
	default:
		if (subnormal)
			return x.sign ? SF_CLASS_NEG_SUBNORMAL : SF_CLASS_POS_SUBNORMAL;
		return x.sign ? SF_CLASS_NEG_NORMAL : SF_CLASS_POS_NORMAL;
	}
}

/* Narrowing or widening between formats; NaNs become canonical. */
static uint64_t sf_convert(const struct sf_fmt *to, const struct sf_fmt *from, uint64_t a,
			   enum sf_rm rm, uint32_t *flags)
{
	struct sf_num x = sf_unpack(from, a);

	switch (x.cls) {
	case SF_SNAN:
	case SF_QNAN:
		return sf_nan2(to, &x, &x, flags);
	case SF_INF:
		return sf_inf(to, x.sign);
	case SF_ZERO:
		return sf_zero(to, x.sign);
	default:
		return sf_round_pack(to, x.sign, x.exp, x.sig, rm, flags);
	}
}

/* Integer limits of a conversion target. */
struct sf_int_type {
	bool is_signed;
	uint64_t max;	    /* largest value */
	uint64_t neg_limit; /* largest magnitude of a negative value */
};

static const struct sf_int_type sf_i32 = {true, INT32_MAX, 1ull << 31};
static const struct sf_int_type sf_u32 = {false, UINT32_MAX, 0};
static const struct sf_int_type sf_i64 = {true, INT64_MAX, 1ull << 63};
static const struct sf_int_type sf_u64 = {false, UINT64_MAX, 0};

static uint64_t sf_saturate(const struct sf_int_type *t, bool negative, uint32_t *flags)
{
	*flags |= SF_NV;
	if (!negative)
		return t->max;
	return t->is_signed ? -t->neg_limit : 0;
}

/* Returns the result as a two's-complement 64-bit pattern. */
static uint64_t sf_to_int(const struct sf_fmt *f, uint64_t a, const struct sf_int_type *t,
			  enum sf_rm rm, uint32_t *flags)
{
	struct sf_num x = sf_unpack(f, a);
	bool inexact = false;
	uint64_t mag;

	switch (x.cls) {
	case SF_SNAN:
	case SF_QNAN: /* unpriv spec §11.7, table 11.4: NaN converts like +inf */
		return sf_saturate(t, false, flags);
	case SF_INF:
		return sf_saturate(t, x.sign, flags);
	case SF_ZERO:
		return 0;
	default:
		break;
	}
	if (x.exp >= 64)
		return sf_saturate(t, x.sign, flags);
	if (x.exp >= 62)
		mag = x.sig << (x.exp - 62);
	else
		mag = sf_round_shift(x.sig, 62 - x.exp, x.sign, rm, &inexact);
	/* the range check is on the rounded value */
	if (mag > (x.sign ? t->neg_limit : t->max))
		return sf_saturate(t, x.sign, flags);
	if (inexact)
		*flags |= SF_NX;
	return x.sign ? -mag : mag;
}

static uint64_t sf_from_int(const struct sf_fmt *f, bool negative, uint64_t mag, enum sf_rm rm,
			    uint32_t *flags)
{
	if (!mag)
		return sf_zero(f, false);
	return sf_round_pack(f, negative, 62, mag, rm, flags);
}

static uint64_t sf_from_signed(const struct sf_fmt *f, int64_t v, enum sf_rm rm, uint32_t *flags)
{
	return sf_from_int(f, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v, rm, flags);
}

/* Host fast path (hostfloat.h): on unless a test turns it off. */
static bool sf_host_fpu = true;

void sf_use_host_fpu(bool on)
{
	sf_host_fpu = on;
}

static bool sf_fast(enum sf_rm rm)
{
	return rm == SF_RNE && sf_host_fpu;
}

/* --- binary32 --- */

uint32_t sf_f32_add(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_arith_nx(HF_ADD, a, b, &r, flags))
		return r;
	return (uint32_t)sf_add(&sf_fmt32, a, b, false, rm, flags);
}

uint32_t sf_f32_sub(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_arith_nx(HF_SUB, a, b, &r, flags))
		return r;
	return (uint32_t)sf_add(&sf_fmt32, a, b, true, rm, flags);
}

uint32_t sf_f32_mul(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_arith_nx(HF_MUL, a, b, &r, flags))
		return r;
	return (uint32_t)sf_mul(&sf_fmt32, a, b, rm, flags);
}

uint32_t sf_f32_div(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_arith_nx(HF_DIV, a, b, &r, flags))
		return r;
	return (uint32_t)sf_div(&sf_fmt32, a, b, rm, flags);
}

uint32_t sf_f32_sqrt(uint32_t a, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_sqrt(a, &r, flags))
		return r;
	return (uint32_t)sf_sqrt(&sf_fmt32, a, rm, flags);
}

uint32_t sf_f32_fma(uint32_t a, uint32_t b, uint32_t c, enum sf_rm rm, uint32_t *flags)
{
	uint32_t r;

	if (sf_fast(rm) && hf_f32_fma_nx(a, b, c, &r, flags))
		return r;
	return (uint32_t)sf_fma(&sf_fmt32, a, b, c, rm, flags);
}

uint32_t sf_f32_min(uint32_t a, uint32_t b, uint32_t *flags)
{
	return (uint32_t)sf_minmax(&sf_fmt32, a, b, false, flags);
}

uint32_t sf_f32_max(uint32_t a, uint32_t b, uint32_t *flags)
{
	return (uint32_t)sf_minmax(&sf_fmt32, a, b, true, flags);
}

bool sf_f32_eq(uint32_t a, uint32_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt32, a, b, SF_CMP_EQ, flags);
}

bool sf_f32_lt(uint32_t a, uint32_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt32, a, b, SF_CMP_LT, flags);
}

bool sf_f32_le(uint32_t a, uint32_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt32, a, b, SF_CMP_LE, flags);
}

uint32_t sf_f32_class(uint32_t a)
{
	return sf_class(&sf_fmt32, a);
}

bool sf_f32_is_nan(uint32_t a)
{
	return sf_is_nan_cls(sf_unpack(&sf_fmt32, a).cls);
}

/* --- binary64 --- */

uint64_t sf_f64_add(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_arith_nx(HF_ADD, a, b, &r, flags))
		return r;
	return sf_add(&sf_fmt64, a, b, false, rm, flags);
}

uint64_t sf_f64_sub(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_arith_nx(HF_SUB, a, b, &r, flags))
		return r;
	return sf_add(&sf_fmt64, a, b, true, rm, flags);
}

uint64_t sf_f64_mul(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_arith_nx(HF_MUL, a, b, &r, flags))
		return r;
	return sf_mul(&sf_fmt64, a, b, rm, flags);
}

uint64_t sf_f64_div(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_arith_nx(HF_DIV, a, b, &r, flags))
		return r;
	return sf_div(&sf_fmt64, a, b, rm, flags);
}

uint64_t sf_f64_sqrt(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_sqrt(a, &r, flags))
		return r;
	return sf_sqrt(&sf_fmt64, a, rm, flags);
}

uint64_t sf_f64_fma(uint64_t a, uint64_t b, uint64_t c, enum sf_rm rm, uint32_t *flags)
{
	uint64_t r;

	if (sf_fast(rm) && hf_f64_fma_nx(a, b, c, &r, flags))
		return r;
	return sf_fma(&sf_fmt64, a, b, c, rm, flags);
}

uint64_t sf_f64_min(uint64_t a, uint64_t b, uint32_t *flags)
{
	return sf_minmax(&sf_fmt64, a, b, false, flags);
}

uint64_t sf_f64_max(uint64_t a, uint64_t b, uint32_t *flags)
{
	return sf_minmax(&sf_fmt64, a, b, true, flags);
}

bool sf_f64_eq(uint64_t a, uint64_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt64, a, b, SF_CMP_EQ, flags);
}

bool sf_f64_lt(uint64_t a, uint64_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt64, a, b, SF_CMP_LT, flags);
}

bool sf_f64_le(uint64_t a, uint64_t b, uint32_t *flags)
{
	return sf_compare(&sf_fmt64, a, b, SF_CMP_LE, flags);
}

uint32_t sf_f64_class(uint64_t a)
{
	return sf_class(&sf_fmt64, a);
}

bool sf_f64_is_nan(uint64_t a)
{
	return sf_is_nan_cls(sf_unpack(&sf_fmt64, a).cls);
}

/* --- conversions --- */

uint64_t sf_f32_to_f64(uint32_t a, uint32_t *flags)
{
	return sf_convert(&sf_fmt64, &sf_fmt32, a, SF_RNE, flags);
}

uint32_t sf_f64_to_f32(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_convert(&sf_fmt32, &sf_fmt64, a, rm, flags);
}

int32_t sf_f32_to_i32(uint32_t a, enum sf_rm rm, uint32_t *flags)
{
	return (int32_t)sf_to_int(&sf_fmt32, a, &sf_i32, rm, flags);
}

uint32_t sf_f32_to_u32(uint32_t a, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_to_int(&sf_fmt32, a, &sf_u32, rm, flags);
}

int64_t sf_f32_to_i64(uint32_t a, enum sf_rm rm, uint32_t *flags)
{
	return (int64_t)sf_to_int(&sf_fmt32, a, &sf_i64, rm, flags);
}

uint64_t sf_f32_to_u64(uint32_t a, enum sf_rm rm, uint32_t *flags)
{
	return sf_to_int(&sf_fmt32, a, &sf_u64, rm, flags);
}

int32_t sf_f64_to_i32(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	return (int32_t)sf_to_int(&sf_fmt64, a, &sf_i32, rm, flags);
}

uint32_t sf_f64_to_u32(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_to_int(&sf_fmt64, a, &sf_u32, rm, flags);
}

int64_t sf_f64_to_i64(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	return (int64_t)sf_to_int(&sf_fmt64, a, &sf_i64, rm, flags);
}

uint64_t sf_f64_to_u64(uint64_t a, enum sf_rm rm, uint32_t *flags)
{
	return sf_to_int(&sf_fmt64, a, &sf_u64, rm, flags);
}

uint32_t sf_i32_to_f32(int32_t v, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_from_signed(&sf_fmt32, v, rm, flags);
}

uint32_t sf_u32_to_f32(uint32_t v, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_from_int(&sf_fmt32, false, v, rm, flags);
}

uint32_t sf_i64_to_f32(int64_t v, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_from_signed(&sf_fmt32, v, rm, flags);
}

uint32_t sf_u64_to_f32(uint64_t v, enum sf_rm rm, uint32_t *flags)
{
	return (uint32_t)sf_from_int(&sf_fmt32, false, v, rm, flags);
}

uint64_t sf_i32_to_f64(int32_t v, enum sf_rm rm, uint32_t *flags)
{
	return sf_from_signed(&sf_fmt64, v, rm, flags);
}

uint64_t sf_u32_to_f64(uint32_t v, enum sf_rm rm, uint32_t *flags)
{
	return sf_from_int(&sf_fmt64, false, v, rm, flags);
}

uint64_t sf_i64_to_f64(int64_t v, enum sf_rm rm, uint32_t *flags)
{
	return sf_from_signed(&sf_fmt64, v, rm, flags);
}

uint64_t sf_u64_to_f64(uint64_t v, enum sf_rm rm, uint32_t *flags)
{
	return sf_from_int(&sf_fmt64, false, v, rm, flags);
}
