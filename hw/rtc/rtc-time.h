/*
 * Calendar arithmetic for the RTC (seconds since 1970-01-01 in the
 * proleptic Gregorian calendar, no time zones) and its start-up settings:
 * -rtc base=utc|localtime|date and clock=host|rt|vm.  Internal to hw/rtc.
 */
#ifndef HW_RTC_RTC_TIME_H
#define HW_RTC_RTC_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "system/timer.h"
#include "util/error.h"

#define RTC_SECS_PER_DAY 86400

/* Division and remainder rounding toward minus infinity (b > 0). */
static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static inline int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Days since 1970-01-01 of year-month-day (month 1-12; day may run past the month). */
int64_t rtc_days_from_date(int64_t year, int month, int day);
void rtc_date_from_days(int64_t days, int64_t *year, int *month, int *day);

/*
 * base=: the calendar second to start at and the phase (ns into it) of the
 * divider: "utc" and "localtime" follow the host's wall clock, a date
 * starts at the top of its second.
 */
bool rtc_base_start(const char *base, int64_t *sec, int64_t *phase, Error **errp);
/* clock=: host (wall clock), rt (host monotonic) or vm (virtual). */
bool rtc_clock_parse(const char *name, ClockType *clock, Error **errp);

#endif
