/*
 * A tiny AML (ACPI Machine Language) byte-code writer, enough for a DSDT that
 * names devices and their resources (ACPI 6.4 §20 "ACPI Machine Language
 * Specification", §6.4 "Resource Data Types for ACPI").
 *
 * Output goes to a fixed buffer. Errors are sticky: the first one (-ENOSPC
 * when the buffer is full, -EINVAL for a malformed name or value) is kept,
 * later calls do nothing, and aml_finish() reports it. So a caller emits a
 * whole tree and checks once at the end.
 *
 * Objects with a PkgLength (Scope, Device, Package) are opened and closed:
 * open returns a mark, close patches the PkgLength once the contents are
 * known. Opens nest.
 */
#ifndef VMM_BOOT_AML_H
#define VMM_BOOT_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err; /* 0, or the first negative errno */
};

/* The largest value a PkgLength can hold: 28 bits (§20.2.4). */
#define AML_PKGLEN_MAX 0x0FFFFFFFu

/* Extended Interrupt descriptor flags (§6.4.3.6, byte 3). */
#define AML_IRQ_CONSUMER   (1u << 0)
#define AML_IRQ_EDGE	   (1u << 1) /* clear: level-triggered */
#define AML_IRQ_ACTIVE_LOW (1u << 2) /* clear: active-high */
#define AML_IRQ_SHARED	   (1u << 3) /* clear: exclusive */

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
/* Bytes written, or the first error. */
int aml_finish(const struct aml *a) must_check;

void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/*
 * Encode @value (which counts the PkgLength bytes themselves) into @out.
 * Returns the number of bytes (1..4), or -EINVAL above AML_PKGLEN_MAX.
 */
int aml_pkglen_encode(uint32_t value, uint8_t out[4]) must_check;

/*
 * A NameString: optional '\' or '^' prefixes, then NameSegs separated by
 * '.', each 1-4 characters of [A-Z0-9_] (not starting with a digit), padded
 * with '_' ("_SB" is "_SB_"). Examples: "COM1", "\\_SB.V000", "_S5".
 */
void aml_name_string(struct aml *a, const char *path);

/* An integer in its shortest encoding: Zero, One, Byte/Word/DWord/QWord. */
void aml_integer(struct aml *a, uint64_t v);
/* A String object: printable ASCII, NUL-terminated in the byte code. */
void aml_string(struct aml *a, const char *s);
/* A Buffer object holding @n bytes of @data. */
void aml_buffer(struct aml *a, const void *data, size_t n);

/*
 * The compressed EISA ID of "AAA####" (3 upper-case letters, 4 upper-case
 * hex digits), e.g. "PNP0501" -> 0x0105D041. -EINVAL when malformed.
 */
int aml_eisaid(const char *id, uint32_t *out) must_check;
/* EISAID(id) as a DWord constant, as ASL compilers emit it. */
void aml_eisaid_integer(struct aml *a, const char *id);

/* Name(name, ...): NameOp and the name; the caller emits the value next. */
void aml_name(struct aml *a, const char *name);

/* Scope, Device and Package: open returns a mark for aml_close(). */
size_t aml_scope_open(struct aml *a, const char *name);
size_t aml_device_open(struct aml *a, const char *name);
size_t aml_package_open(struct aml *a, uint8_t nelems);
void aml_close(struct aml *a, size_t mark);

/*
 * Resource descriptors, written into a separate struct aml that is then
 * wrapped with aml_buffer() (a ResourceTemplate is a Buffer).
 */
/* IO(Decode16, min, max, align, len) (§6.4.2.5). */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQNoFlags(){irq}: ISA IRQ 0-15, edge, active-high (§6.4.2.1). */
void aml_res_irq_noflags(struct aml *a, uint8_t irq);
/* Memory32Fixed(ReadWrite or ReadOnly, base, len) (§6.4.3.4). */
void aml_res_mem32_fixed(struct aml *a, bool writable, uint32_t base, uint32_t len);
/* Interrupt(flags){gsi}, one interrupt, no resource source (§6.4.3.6). */
void aml_res_interrupt(struct aml *a, uint8_t flags, uint32_t gsi);
/* EndTag, checksum 0 = "treat as valid" (§6.4.2.9). */
void aml_res_end(struct aml *a);

#endif
