/*
 * The PC's real-time clock: a Motorola MC146818A with 128 bytes of CMOS RAM
 * at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data), on ISA IRQ 8.
 * The board stores what the firmware expects in CMOS (memory sizes, boot
 * order, disk types) through rtc_set_memory().
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/isa/isa.h"
#include "util/error.h"

#define TYPE_MC146818_RTC "mc146818rtc"

#define RTC_ISA_BASE 0x70
#define RTC_ISA_IRQ 8
#define RTC_CMOS_SIZE 128

/* CMOS bytes outside the clock chip's own registers, as PC BIOSes use them. */
#define RTC_CMOS_SHUTDOWN_STATUS 0x0f   /* 0xfe: resume from S3 */
#define RTC_CMOS_CENTURY 0x32

typedef struct RTCState RTCState;

/* Checked cast from the ISA device the board created. */
RTCState *MC146818_RTC(ISADevice *dev);

/*
 * Create and realize the RTC on bus at 0x70, IRQ 8.  base_year is the year
 * the year and century registers count from (0 on a PC; 2000 is taken as 0,
 * as QEMU's boards pass it).  NULL with errp set on failure.
 */
ISADevice *mc146818_rtc_init(ISABus *bus, int base_year, Error **errp);

/* Store / read a CMOS byte (addr 0..127; others are ignored / read 0xff). */
void rtc_set_memory(ISADevice *dev, int addr, uint8_t val);
uint8_t rtc_get_memory(ISADevice *dev, int addr);

/* Bit 7 of the last write to port 0x70: the guest disabled NMIs. */
bool rtc_nmi_masked(RTCState *s);

/*
 * Check a "base" value: "utc", "localtime", "2006-06-17T16:01:21" or
 * "2006-06-17" (for -rtc base=, checked where the option is parsed).
 */
bool rtc_base_check(const char *base, Error **errp);

void mc146818rtc_register_types(void);

#endif
