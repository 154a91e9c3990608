/*
 * Motorola MC146818A real-time clock plus RAM (datasheet "MC146818A
 * Real-Time Clock Plus RAM (RTC)", Motorola), as a PC wires it: index port
 * 0x70 whose bit 7 is the chipset's NMI mask, data port 0x71, ISA IRQ 8,
 * and 128 bytes of CMOS (14 clock registers, the rest RAM for the BIOS).
 *
 * Nothing ticks once a second.  The divider chain is a count of clock
 * nanoseconds since a reference point, the calendar is the divider's whole
 * seconds plus an offset, and so:
 *  - the time registers are filled in when they are read;
 *  - the flags of register C are caught up when it is read;
 *  - timers run only while an enabled interrupt must reach the line on time
 *    (the periodic timer while PIE is set, the update timer while UIE or
 *    AIE is set).
 */
#include "hw/rtc/mc146818rtc.h"

#include <string.h>

#include "hw/core/irq.h"
#include "hw/rtc/rtc-time.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "system/timer.h"

/* Address map (datasheet figure "Address Map"). */
enum {
    RTC_SECONDS = 0x00,
    RTC_SECONDS_ALARM = 0x01,
    RTC_MINUTES = 0x02,
    RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04,
    RTC_HOURS_ALARM = 0x05,
    RTC_DAY_OF_WEEK = 0x06,
    RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08,
    RTC_YEAR = 0x09,
    RTC_REG_A = 0x0a,
    RTC_REG_B = 0x0b,
    RTC_REG_C = 0x0c,
    RTC_REG_D = 0x0d,
};

#define REG_A_UIP 0x80          /* update in progress (read only) */
#define REG_A_DV_MASK 0x70      /* DV2-DV0: time base / divider control */
#define REG_A_DV_32K 0x20       /* 010: 32.768 kHz, the only setting that counts time */
#define REG_A_DV_RESET 0x60     /* 11x: divider chain held in reset */
#define REG_A_RS_MASK 0x0f      /* RS3-RS0: periodic interrupt rate */

#define REG_B_SET 0x80          /* updates stopped, time may be set */
#define REG_B_PIE 0x40
#define REG_B_AIE 0x20
#define REG_B_UIE 0x10
#define REG_B_SQWE 0x08         /* square-wave pin: not wired on a PC */
#define REG_B_DM 0x04           /* 1: binary, 0: BCD */
#define REG_B_24H 0x02          /* 1: 24-hour, 0: 12-hour with bit 7 of the hour = PM */
#define REG_B_DSE 0x01          /* daylight saving: kept, not acted on */

#define REG_C_IRQF 0x80
#define REG_C_PF 0x40
#define REG_C_AF 0x20
#define REG_C_UF 0x10
#define REG_C_FLAGS (REG_C_PF | REG_C_AF | REG_C_UF)   /* the bits of PIE, AIE, UIE */

#define REG_D_VRT 0x80          /* valid RAM and time: the battery is good */

#define RTC_INDEX_NMI_DISABLE 0x80
#define RTC_INDEX_MASK 0x7f

#define NS_PER_SEC NANOSECONDS_PER_SECOND
#define SECS_PER_DAY RTC_SECS_PER_DAY
/* UIP rises 244 us (8 cycles of the 32.768 kHz time base) before each update. */
#define RTC_UIP_NS ((8 * NS_PER_SEC + 32767) / 32768)
/* "The first update cycle begins one-half second" after the divider leaves reset. */
#define RTC_RESTART_PHASE_NS (NS_PER_SEC / 2)
/* Slew: at most this many missed ticks re-raised back to back, and remembered. */
#define RTC_REINJECT_MAX 20
#define RTC_COALESCED_MAX 65536
/* Loaded state beyond these is not trusted (2^40 s is some 35,000 years). */
#define RTC_SANE_SECONDS (1LL << 40)
#define RTC_SANE_POS_NS (1LL << 62)

struct RTCState {
    ISADevice parent_obj;
    MemoryRegion io;
    IRQLine *irq;
    Timer *periodic_timer;
    Timer *update_timer;
    ClockType clock;            /* what the divider counts: clock=host|rt|vm */
    int year_base;              /* year of year register 0, century 0 */
    bool slew;                  /* lost_tick_policy=slew (-rtc driftfix=slew) */

    /* Properties. */
    char *base;
    char *clock_name;
    char *lost_tick_policy;
    int32_t base_year;
    uint16_t iobase;
    uint8_t isairq;

    /* Chip state. */
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;
    bool irq_level;
    int64_t div_sec;            /* whole divider seconds at ref_ns (or while held) */
    int64_t ref_ns;             /* clock time at which the divider was at div_sec.0 */
    int64_t held_ns;            /* divider position past div_sec while it is stopped */
    int64_t cal_offset;         /* calendar second = divider second + cal_offset */
    int64_t shown_sec;          /* calendar second the time registers show */
    int64_t upd_sec;            /* last divider second accounted in UF and AF */
    int64_t pf_edge;            /* last periodic edge accounted in PF */
    uint32_t coalesced;         /* slew: periodic ticks the guest has not seen */
    uint32_t reinjected;        /* slew: ticks re-raised since the last real one */
};

RTCState *MC146818_RTC(ISADevice *dev)
{
    return (RTCState *)object_check(&dev->parent_obj.parent_obj, TYPE_MC146818_RTC);
}

/* ---- Divider chain ------------------------------------------------------------ */

static inline bool rtc_divider_running(RTCState *s)
{
    return (s->cmos[RTC_REG_A] & REG_A_DV_MASK) == REG_A_DV_32K;
}

/* Divider position in ns past div_sec. */
static int64_t rtc_divider_pos(RTCState *s, int64_t now)
{
    return rtc_divider_running(s) ? now - s->ref_ns : s->held_ns;
}

static int64_t rtc_divider_sec(RTCState *s, int64_t now)
{
    return s->div_sec + floor_div(rtc_divider_pos(s, now), NS_PER_SEC);
}

static int64_t rtc_divider_phase(RTCState *s, int64_t now)
{
    return floor_mod(rtc_divider_pos(s, now), NS_PER_SEC);
}

/* Fold whole seconds into div_sec, so the position stays below one second. */
static void rtc_divider_rebase(RTCState *s, int64_t now)
{
    int64_t pos = rtc_divider_pos(s, now);
    s->div_sec += floor_div(pos, NS_PER_SEC);
    if (rtc_divider_running(s)) {
        s->ref_ns = now - floor_mod(pos, NS_PER_SEC);
    } else {
        s->held_ns = floor_mod(pos, NS_PER_SEC);
    }
}

/* Periodic rate in Hz, 0 for none (datasheet table "Periodic Interrupt Rate"). */
static unsigned rtc_periodic_rate(RTCState *s)
{
    unsigned rs = s->cmos[RTC_REG_A] & REG_A_RS_MASK;
    if (rs == 0) {
        return 0;
    }
    /* With the 32.768 kHz time base, RS 0001 and 0010 give 256 and 128 Hz, as 1000 and 1001. */
    if (rs <= 2) {
        rs += 7;
    }
    return 32768u >> (rs - 1);
}

/* Periodic edges since divider second 0, up to now. */
static int64_t rtc_periodic_edge(RTCState *s, int64_t now, unsigned rate)
{
    return rtc_divider_sec(s, now) * rate + rtc_divider_phase(s, now) * rate / NS_PER_SEC;
}

/* Clock time of the first periodic edge after now. */
static int64_t rtc_periodic_next_ns(RTCState *s, int64_t now, unsigned rate)
{
    int64_t edge = rtc_periodic_edge(s, now, rate) + 1;
    int64_t sec = floor_div(edge, rate);
    int64_t part = floor_mod(edge, rate);
    return s->ref_ns + (sec - s->div_sec) * NS_PER_SEC + (part * NS_PER_SEC + rate - 1) / rate;
}

static bool rtc_update_in_progress(RTCState *s, int64_t now)
{
    if (!rtc_divider_running(s) || (s->cmos[RTC_REG_B] & REG_B_SET)) {
        return false;
    }
    return rtc_divider_phase(s, now) >= NS_PER_SEC - RTC_UIP_NS;
}

/* ---- Time registers ------------------------------------------------------------ */

static uint8_t rtc_to_reg(RTCState *s, int64_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return (uint8_t)v;
    }
    v = floor_mod(v, 100);
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* The chip does not check BCD digits: 0xff reads as 165 in BCD mode. */
static int rtc_from_reg(RTCState *s, uint8_t r)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return r;
    }
    return (r >> 4) * 10 + (r & 0x0f);
}

static uint8_t rtc_hour_to_reg(RTCState *s, int hour)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_to_reg(s, hour);
    }
    int h12 = hour % 12 ? hour % 12 : 12;
    return rtc_to_reg(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static void rtc_time_encode(RTCState *s, int64_t cal)
{
    int64_t days = floor_div(cal, SECS_PER_DAY);
    int64_t tod = floor_mod(cal, SECS_PER_DAY);
    int64_t year;
    int month, day;

    rtc_date_from_days(days, &year, &month, &day);
    s->cmos[RTC_SECONDS] = rtc_to_reg(s, tod % 60);
    s->cmos[RTC_MINUTES] = rtc_to_reg(s, tod / 60 % 60);
    s->cmos[RTC_HOURS] = rtc_hour_to_reg(s, (int)(tod / 3600));
    /* Day of week 1-7, Sunday = 1; 1970-01-01 was a Thursday. */
    s->cmos[RTC_DAY_OF_WEEK] = rtc_to_reg(s, floor_mod(days + 4, 7) + 1);
    s->cmos[RTC_DAY_OF_MONTH] = rtc_to_reg(s, day);
    s->cmos[RTC_MONTH] = rtc_to_reg(s, month);
    year -= s->year_base;
    s->cmos[RTC_YEAR] = rtc_to_reg(s, floor_mod(year, 100));
    s->cmos[RTC_CMOS_CENTURY] = rtc_to_reg(s, CLAMP(floor_div(year, 100), 0, 99));
}

/*
 * The calendar second the registers spell.  Whatever the guest wrote rolls
 * over as mktime would (second 75 is a minute and 15 s, month 13 is January
 * of the next year); the ranges are small enough that nothing overflows.
 */
static int64_t rtc_time_decode(RTCState *s)
{
    int64_t sec = rtc_from_reg(s, s->cmos[RTC_SECONDS]);
    int64_t min = rtc_from_reg(s, s->cmos[RTC_MINUTES]);
    uint8_t hr = s->cmos[RTC_HOURS];
    int64_t hour;
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        hour = rtc_from_reg(s, hr);
    } else {
        hour = rtc_from_reg(s, hr & 0x7f) % 12 + (hr & 0x80 ? 12 : 0);
    }
    int64_t mday = rtc_from_reg(s, s->cmos[RTC_DAY_OF_MONTH]);
    int64_t month = rtc_from_reg(s, s->cmos[RTC_MONTH]);
    int64_t year = rtc_from_reg(s, s->cmos[RTC_YEAR]) +
                   rtc_from_reg(s, s->cmos[RTC_CMOS_CENTURY]) * 100 + s->year_base;

    year += floor_div(month - 1, 12);
    month = floor_mod(month - 1, 12) + 1;
    int64_t days = rtc_days_from_date(year, (int)month, 1) + mday - 1;
    return days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

/* Bring the time registers to the current second (unless they already show it). */
static void rtc_time_refresh(RTCState *s, int64_t now, bool force)
{
    int64_t cal = rtc_divider_sec(s, now) + s->cal_offset;
    if (force || cal != s->shown_sec) {
        rtc_time_encode(s, cal);
        s->shown_sec = cal;
    }
}

/* The guest set the time: the calendar continues from what the registers say. */
static void rtc_time_load(RTCState *s, int64_t now)
{
    int64_t cal = rtc_time_decode(s);
    s->cal_offset = cal - rtc_divider_sec(s, now);
    s->shown_sec = cal;
}

static bool rtc_is_time_reg(unsigned idx)
{
    switch (idx) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CMOS_CENTURY:
        return true;
    default:
        return false;
    }
}

/* ---- Alarm ---------------------------------------------------------------------- */

#define ALARM_ANY (-1)
#define ALARM_NEVER (-2)

/*
 * An alarm byte as a value below limit, ALARM_ANY for the don't-care codes
 * 0xc0-0xff, or ALARM_NEVER for a byte no time register can equal (the chip
 * compares bytes, so an invalid encoding never matches).
 */
static int rtc_alarm_field(RTCState *s, uint8_t reg, int limit)
{
    if ((reg & 0xc0) == 0xc0) {
        return ALARM_ANY;
    }
    int v = rtc_from_reg(s, reg);
    return v < limit && rtc_to_reg(s, v) == reg ? v : ALARM_NEVER;
}

static int rtc_alarm_hour(RTCState *s, uint8_t reg)
{
    if ((reg & 0xc0) == 0xc0 || (s->cmos[RTC_REG_B] & REG_B_24H)) {
        return rtc_alarm_field(s, reg, 24);
    }
    int h12 = rtc_alarm_field(s, reg & 0x7f, 13);
    if (h12 < 1) {
        return ALARM_NEVER;
    }
    return h12 % 12 + (reg & 0x80 ? 12 : 0);
}

/* First calendar second after cal whose time of day matches the alarm; -1 if none. */
static int64_t rtc_alarm_next(RTCState *s, int64_t cal)
{
    int as = rtc_alarm_field(s, s->cmos[RTC_SECONDS_ALARM], 60);
    int am = rtc_alarm_field(s, s->cmos[RTC_MINUTES_ALARM], 60);
    int ah = rtc_alarm_hour(s, s->cmos[RTC_HOURS_ALARM]);
    if (as == ALARM_NEVER || am == ALARM_NEVER || ah == ALARM_NEVER) {
        return -1;
    }
    int64_t day_start = cal - floor_mod(cal, SECS_PER_DAY);
    int64_t tod = floor_mod(cal, SECS_PER_DAY);

    /* Today after tod, else tomorrow: skip whole hours and minutes already past. */
    for (int64_t day = 0; day <= 1; day++) {
        int64_t past = day ? -1 : tod;
        for (int h = ah < 0 ? 0 : ah; h <= (ah < 0 ? 23 : ah); h++) {
            if (h * 3600 + 3599 <= past) {
                continue;
            }
            for (int m = am < 0 ? 0 : am; m <= (am < 0 ? 59 : am); m++) {
                if (h * 3600 + m * 60 + 59 <= past) {
                    continue;
                }
                for (int sec = as < 0 ? 0 : as; sec <= (as < 0 ? 59 : as); sec++) {
                    int64_t t = h * 3600 + m * 60 + sec;
                    if (t > past) {
                        return day_start + day * SECS_PER_DAY + t;
                    }
                }
            }
        }
    }
    return -1;
}

/* ---- Flags, the line, timers ------------------------------------------------------ */

/* IRQF = PF.PIE + AF.AIE + UF.UIE; the line follows IRQF. */
static void rtc_irq_update(RTCState *s)
{
    bool level = (s->cmos[RTC_REG_C] & s->cmos[RTC_REG_B] & REG_C_FLAGS) != 0;
    if (level) {
        s->cmos[RTC_REG_C] |= REG_C_IRQF;
    } else {
        s->cmos[RTC_REG_C] &= ~REG_C_IRQF;
    }
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Slew: count periodic ticks the guest could not have seen as separate interrupts. */
static void rtc_periodic_count_lost(RTCState *s, int64_t edges)
{
    if (!s->slew || !(s->cmos[RTC_REG_B] & REG_B_PIE)) {
        return;
    }
    if (!(s->cmos[RTC_REG_C] & REG_C_PF)) {
        edges--;            /* this one gets through */
        s->reinjected = 0;
    }
    s->coalesced = (uint32_t)MIN((int64_t)s->coalesced + edges, RTC_COALESCED_MAX);
}

/* Set the flags for the updates and periodic edges that happened up to now. */
static void rtc_catch_up(RTCState *s, int64_t now)
{
    if (rtc_divider_running(s)) {
        int64_t sec = rtc_divider_sec(s, now);
        if (sec > s->upd_sec && !(s->cmos[RTC_REG_B] & REG_B_SET)) {
            s->cmos[RTC_REG_C] |= REG_C_UF;
            int64_t alarm = rtc_alarm_next(s, s->upd_sec + s->cal_offset);
            if (alarm >= 0 && alarm <= sec + s->cal_offset) {
                s->cmos[RTC_REG_C] |= REG_C_AF;
            }
        }
        s->upd_sec = sec;
        unsigned rate = rtc_periodic_rate(s);
        if (rate) {
            int64_t edge = rtc_periodic_edge(s, now, rate);
            if (edge > s->pf_edge) {
                rtc_periodic_count_lost(s, MIN(edge - s->pf_edge, RTC_COALESCED_MAX));
                s->cmos[RTC_REG_C] |= REG_C_PF;
            }
            s->pf_edge = edge;
        }
    }
    rtc_irq_update(s);
}

/* After the divider or the rate changed: nothing before now is due any more. */
static void rtc_marks_sync(RTCState *s, int64_t now)
{
    unsigned rate = rtc_periodic_rate(s);
    s->upd_sec = rtc_divider_sec(s, now);
    s->pf_edge = rate ? rtc_periodic_edge(s, now, rate) : 0;
}

static void rtc_timers_update(RTCState *s, int64_t now)
{
    uint8_t b = s->cmos[RTC_REG_B];
    bool running = rtc_divider_running(s);
    unsigned rate = rtc_periodic_rate(s);

    if (running && rate && (b & REG_B_PIE)) {
        timer_mod(s->periodic_timer, rtc_periodic_next_ns(s, now, rate));
    } else {
        timer_del(s->periodic_timer);
    }

    int64_t target = -1;        /* divider second of the next update that matters */
    if (running && !(b & REG_B_SET)) {
        int64_t sec = rtc_divider_sec(s, now);
        if (b & REG_B_UIE) {
            target = sec + 1;
        } else if (b & REG_B_AIE) {
            int64_t alarm = rtc_alarm_next(s, sec + s->cal_offset);
            target = alarm < 0 ? -1 : alarm - s->cal_offset;
        }
    }
    if (target >= 0) {
        timer_mod(s->update_timer, s->ref_ns + (target - s->div_sec) * NS_PER_SEC);
    } else {
        timer_del(s->update_timer);
    }
}

static void rtc_timer_cb(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = clock_get_ns(s->clock);
    rtc_catch_up(s, now);
    rtc_timers_update(s, now);
}

/* ---- Registers ---------------------------------------------------------------------- */

static void rtc_reg_a_write(RTCState *s, uint8_t val, int64_t now)
{
    uint8_t old = s->cmos[RTC_REG_A];
    bool was_running = rtc_divider_running(s);

    rtc_divider_rebase(s, now);
    if (was_running) {
        s->held_ns = now - s->ref_ns;
    }
    s->cmos[RTC_REG_A] = (val & ~REG_A_UIP) | (old & REG_A_UIP);
    if (!was_running && rtc_divider_running(s)) {
        if ((old & REG_A_DV_RESET) == REG_A_DV_RESET) {
            s->held_ns = RTC_RESTART_PHASE_NS;
        }
        s->ref_ns = now - s->held_ns;
    }
    rtc_marks_sync(s, now);
}

static void rtc_reg_b_write(RTCState *s, uint8_t val, int64_t now)
{
    uint8_t old = s->cmos[RTC_REG_B];

    if (val & REG_B_SET) {
        val &= ~REG_B_UIE;      /* datasheet: SET going high clears UIE */
        if (!(old & REG_B_SET)) {
            rtc_time_refresh(s, now, false);    /* the registers stop at the current time */
        }
    }
    s->cmos[RTC_REG_B] = val;
    if ((old & REG_B_SET) && !(val & REG_B_SET)) {
        rtc_time_load(s, now);
    } else if (!(val & REG_B_SET) && ((old ^ val) & (REG_B_DM | REG_B_24H))) {
        rtc_time_refresh(s, now, true);         /* show the time in the new format */
    }
}

static void rtc_reg_write(RTCState *s, unsigned idx, uint8_t val)
{
    int64_t now = clock_get_ns(s->clock);

    rtc_catch_up(s, now);
    switch (idx) {
    case RTC_REG_A:
        rtc_reg_a_write(s, val, now);
        break;
    case RTC_REG_B:
        rtc_reg_b_write(s, val, now);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        return;                 /* read only */
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        s->cmos[idx] = val;
        break;
    default:
        if (!rtc_is_time_reg(idx)) {
            s->cmos[idx] = val;
            return;
        }
        /* Stored as written; with SET clear the calendar goes on from it. */
        bool set_mode = s->cmos[RTC_REG_B] & REG_B_SET;
        if (!set_mode) {
            rtc_time_refresh(s, now, false);
        }
        s->cmos[idx] = val;
        if (!set_mode) {
            rtc_time_load(s, now);
        }
        break;
    }
    rtc_irq_update(s);
    rtc_timers_update(s, now);
}

/* Register C: reading returns the flags and clears them, which lowers the line. */
static uint8_t rtc_reg_c_read(RTCState *s)
{
    uint8_t val = s->cmos[RTC_REG_C];
    s->cmos[RTC_REG_C] = 0;
    rtc_irq_update(s);
    /* Slew: re-raise a tick the guest missed, right after the acknowledge. */
    if (s->coalesced && (s->cmos[RTC_REG_B] & REG_B_PIE) && s->reinjected < RTC_REINJECT_MAX) {
        s->coalesced--;
        s->reinjected++;
        s->cmos[RTC_REG_C] |= REG_C_PF;
        rtc_irq_update(s);
    }
    return val;
}

/* A register as the guest reads it; peek: without the side effect of reading C. */
static uint8_t rtc_reg_read(RTCState *s, unsigned idx, bool peek)
{
    int64_t now = clock_get_ns(s->clock);

    switch (idx) {
    case RTC_REG_A:
        return s->cmos[RTC_REG_A] | (rtc_update_in_progress(s, now) ? REG_A_UIP : 0);
    case RTC_REG_C:
        rtc_catch_up(s, now);
        return peek ? s->cmos[RTC_REG_C] : rtc_reg_c_read(s);
    default:
        if (rtc_is_time_reg(idx) && !(s->cmos[RTC_REG_B] & REG_B_SET)) {
            rtc_time_refresh(s, now, false);
        }
        return s->cmos[idx];
    }
}

static uint64_t rtc_io_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCState *s = opaque;
    if (addr == 0) {
        return 0xff;            /* the index port is write only */
    }
    return rtc_reg_read(s, s->index, false);
}

static void rtc_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    RTCState *s = opaque;
    if (addr == 0) {
        s->index = val & RTC_INDEX_MASK;
        s->nmi_masked = (val & RTC_INDEX_NMI_DISABLE) != 0;
        return;
    }
    rtc_reg_write(s, s->index, (uint8_t)val);
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- Board API ----------------------------------------------------------------------- */

void rtc_set_memory(ISADevice *dev, int addr, uint8_t val)
{
    RTCState *s = MC146818_RTC(dev);
    if (addr < 0 || addr >= RTC_CMOS_SIZE) {
        return;
    }
    rtc_reg_write(s, addr, val);
}

uint8_t rtc_get_memory(ISADevice *dev, int addr)
{
    RTCState *s = MC146818_RTC(dev);
    if (addr < 0 || addr >= RTC_CMOS_SIZE) {
        return 0xff;
    }
    return rtc_reg_read(s, addr, true);
}

bool rtc_nmi_masked(RTCState *s)
{
    return s->nmi_masked;
}

ISADevice *mc146818_rtc_init(ISABus *bus, int base_year, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
    g_autofree char *year = g_strdup_printf("%d", base_year);
    if (!qdev_prop_set(dev, "base_year", year, errp)) {
        object_unref(&dev->parent_obj);
        return NULL;
    }
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}

/* ---- Device ---------------------------------------------------------------------------- */

static bool rtc_realize(DeviceState *dev, Error **errp)
{
    RTCState *s = MC146818_RTC(ISA_DEVICE(dev));
    int64_t start_sec, phase;

    if (s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "Maximum value for \"irq\" is: %u", ISA_NUM_IRQS - 1);
        return false;
    }
    if (s->base_year < 0 || s->base_year > 9999) {
        error_setg(errp, "Parameter 'base_year' expects a year from 0 to 9999");
        return false;
    }
    if (strcmp(s->lost_tick_policy, "discard") && strcmp(s->lost_tick_policy, "slew")) {
        error_setg(errp, "Parameter 'lost_tick_policy' does not accept value '%s'",
                   s->lost_tick_policy);
        return false;
    }
    if (!rtc_clock_parse(s->clock_name, &s->clock, errp) ||
        !rtc_base_start(s->base, &start_sec, &phase, errp)) {
        return false;
    }
    s->slew = !strcmp(s->lost_tick_policy, "slew");
    /* QEMU's boards pass 2000 for a PC, whose century byte counts from year 0. */
    s->year_base = s->base_year == 2000 ? 0 : s->base_year;

    int64_t now = clock_get_ns(s->clock);
    s->div_sec = 0;
    s->ref_ns = now - phase;
    s->held_ns = 0;
    s->cal_offset = start_sec;
    /* Power-on values: 32.768 kHz time base, 1024 Hz rate; 24-hour BCD; battery good. */
    s->cmos[RTC_REG_A] = REG_A_DV_32K | 0x06;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_C] = 0;
    s->cmos[RTC_REG_D] = REG_D_VRT;
    rtc_time_refresh(s, now, true);
    rtc_marks_sync(s, now);

    s->irq = isa_get_irq(ISA_DEVICE(dev), s->isairq);
    s->periodic_timer = timer_new(s->clock, rtc_timer_cb, s);
    s->update_timer = timer_new(s->clock, rtc_timer_cb, s);
    memory_region_init_io(&s->io, &dev->parent_obj, &rtc_io_ops, s, "rtc", 2);
    /* An index write does nothing the guest sees before its data access: KVM may batch it. */
    memory_region_set_coalescing(&s->io, 0, 1);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
    return true;
}

static void rtc_unrealize(DeviceState *dev)
{
    RTCState *s = MC146818_RTC(ISA_DEVICE(dev));
    memory_region_finalize(&s->io);
    timer_free(s->periodic_timer);
    timer_free(s->update_timer);
    s->periodic_timer = s->update_timer = NULL;
}

/*
 * Datasheet, RESET: clears PIE, AIE, UIE, SQWE and the flags of register C;
 * the time, the calendar and the RAM are kept.
 */
static void rtc_reset(DeviceState *dev)
{
    RTCState *s = MC146818_RTC(ISA_DEVICE(dev));
    int64_t now = clock_get_ns(s->clock);

    rtc_catch_up(s, now);
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    /* A system reset boots afresh, unless the guest suspended to S3 (0xfe), as in QEMU. */
    if (s->cmos[RTC_CMOS_SHUTDOWN_STATUS] != 0xfe) {
        s->cmos[RTC_CMOS_SHUTDOWN_STATUS] = 0;
    }
    s->nmi_masked = false;
    s->coalesced = 0;
    s->reinjected = 0;
    rtc_irq_update(s);
    rtc_timers_update(s, now);
}

static int rtc_pre_save(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = clock_get_ns(s->clock);
    rtc_catch_up(s, now);
    rtc_divider_rebase(s, now);
    if (!(s->cmos[RTC_REG_B] & REG_B_SET)) {
        rtc_time_refresh(s, now, false);
    }
    return 0;
}

/* Nothing from the stream indexes memory or overflows arithmetic unchecked. */
static int rtc_post_load(void *opaque, int version_id)
{
    RTCState *s = opaque;
    int64_t now = clock_get_ns(s->clock);
    int64_t pos;

    s->index &= RTC_INDEX_MASK;
    s->held_ns = floor_mod(s->held_ns, NS_PER_SEC);
    s->div_sec = CLAMP(s->div_sec, -RTC_SANE_SECONDS, RTC_SANE_SECONDS);
    s->cal_offset = CLAMP(s->cal_offset, -RTC_SANE_SECONDS, RTC_SANE_SECONDS);
    s->coalesced = MIN(s->coalesced, RTC_COALESCED_MAX);
    /* The host's monotonic clock means nothing on another host: keep the second. */
    if (s->clock == CLOCK_HOST || __builtin_sub_overflow(now, s->ref_ns, &pos) ||
        pos < -RTC_SANE_POS_NS || pos > RTC_SANE_POS_NS) {
        s->ref_ns = now;
    }
    rtc_marks_sync(s, now);
    rtc_irq_update(s);
    irq_set(s->irq, s->irq_level);      /* the line as the loaded IRQF says */
    rtc_timers_update(s, now);
    return 0;
}

static const VMStateField rtc_vmstate_fields[] = {
    VMS_BUF(RTCState, cmos),
    VMS_FIELD(RTCState, index, VMS_U8),
    VMS_FIELD(RTCState, nmi_masked, VMS_BOOL),
    VMS_FIELD(RTCState, irq_level, VMS_BOOL),
    VMS_FIELD(RTCState, div_sec, VMS_I64),
    VMS_FIELD(RTCState, ref_ns, VMS_I64),
    VMS_FIELD(RTCState, held_ns, VMS_I64),
    VMS_FIELD(RTCState, cal_offset, VMS_I64),
    VMS_FIELD(RTCState, shown_sec, VMS_I64),
    VMS_FIELD(RTCState, upd_sec, VMS_I64),
    VMS_FIELD(RTCState, pf_edge, VMS_I64),
    VMS_FIELD(RTCState, coalesced, VMS_U32),
    VMS_FIELD(RTCState, reinjected, VMS_U32),
    VMS_FIELD(RTCState, periodic_timer, VMS_TIMER),
    VMS_FIELD(RTCState, update_timer, VMS_TIMER),
    VMS_END,
};

static const VMStateDescription rtc_vmstate = {
    .name = "mc146818rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = rtc_vmstate_fields,
    .pre_save = rtc_pre_save,
    .post_load = rtc_post_load,
};

static const Property rtc_properties[] = {
    { .name = "base", .info = &prop_info_string, .offset = offsetof(RTCState, base),
      .defval.s = "utc", .desc = "utc, localtime, or a date 2006-06-17[T16:01:21]" },
    { .name = "clock", .info = &prop_info_string, .offset = offsetof(RTCState, clock_name),
      .defval.s = "host", .desc = "host (wall clock), rt (host monotonic) or vm (stops when paused)" },
    { .name = "lost_tick_policy", .info = &prop_info_string,
      .offset = offsetof(RTCState, lost_tick_policy), .defval.s = "discard",
      .desc = "discard or slew (re-raise missed periodic interrupts)" },
    PROP_INT32("base_year", RTCState, base_year, 0),
    PROP_UINT16("iobase", RTCState, iobase, RTC_ISA_BASE),
    PROP_UINT8("irq", RTCState, isairq, RTC_ISA_IRQ),
    PROP_END,
};

static void rtc_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = rtc_realize;
    dc->unrealize = rtc_unrealize;
    dc->reset = rtc_reset;
    dc->vmsd = &rtc_vmstate;
    dc->category = "Misc";
    object_class_set_props(oc, rtc_properties);
}

static const TypeInfo rtc_type = {
    .name = TYPE_MC146818_RTC,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(RTCState),
    .desc = "MC146818 real-time clock with CMOS RAM",
    .class_init = rtc_class_init,
};

void mc146818rtc_register_types(void)
{
    type_register(&rtc_type);
}
