/*
 * Port 0x80, the POST-code port: firmware writes progress codes there and
 * Linux writes to it as an I/O delay (outb_p). Every access is legal: writes
 * of any size are accepted (the low byte is kept as the last POST code, for
 * debugging) and reads return that code.
 */
#ifndef VMM_HW_PORT80_H
#define VMM_HW_PORT80_H

#include <stdint.h>

#include "memory/io_bus.h"

#define PORT80_PORT 0x80
#define PORT80_LEN  1

struct port80;

/* Returns NULL on ENOMEM. */
struct port80 *port80_create(void);
void port80_destroy(struct port80 *p);

/* The last code the guest wrote (0 before any). */
uint8_t port80_last(const struct port80 *p);

/* Register at PORT80_PORT, length PORT80_LEN. */
extern const struct io_dev_ops port80_io_ops;

#endif
