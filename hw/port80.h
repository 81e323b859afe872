/*
 * Port 0x80, the POST-code port: firmware writes progress codes there and
 * Linux writes to it as an I/O delay (outb_p). Writes are accepted and
 * dropped, reads return 0xff, nothing is counted: every access is legal.
 * Stateless, so there is no create/destroy: register port80_io_ops at
 * PORT80_PORT, length PORT80_LEN, with a NULL opaque.
 */
#ifndef VMM_HW_PORT80_H
#define VMM_HW_PORT80_H

#include "memory/io_bus.h"

#define PORT80_PORT 0x80
#define PORT80_LEN  1

extern const struct io_dev_ops port80_io_ops;

#endif
