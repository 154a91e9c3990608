/*
 * Calendar arithmetic (days from and to a civil date, counting years from
 * March so that the leap day ends a year) and the RTC's start-up settings.
 */
#include "hw/rtc/rtc-time.h"

#include <string.h>
#include <glib.h>

#include "hw/rtc/mc146818rtc.h"

int64_t rtc_days_from_date(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                        /* year of the 400-year era */
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;                 /* 719468: 0000-03-01 to 1970-01-01 */
}

void rtc_date_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int rtc_days_in_month(int64_t year, int month)
{
    return (int)(rtc_days_from_date(year + (month == 12), month % 12 + 1, 1) -
                 rtc_days_from_date(year, month, 1));
}

/* 1 to max decimal digits at *p, advancing it; false if there are none. */
static bool rtc_parse_digits(const char **p, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max && g_ascii_isdigit(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n > 0;
}

/* "2006-06-17T16:01:21" or "2006-06-17" (midnight) as calendar seconds. */
static bool rtc_parse_date(const char *str, int64_t *sec)
{
    const char *p = str;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!rtc_parse_digits(&p, 4, &y) || *p++ != '-' ||
        !rtc_parse_digits(&p, 2, &mo) || *p++ != '-' ||
        !rtc_parse_digits(&p, 2, &d)) {
        return false;
    }
    if (*p == 'T') {
        p++;
        if (!rtc_parse_digits(&p, 2, &h) || *p++ != ':' ||
            !rtc_parse_digits(&p, 2, &mi) || *p++ != ':' ||
            !rtc_parse_digits(&p, 2, &se)) {
            return false;
        }
    }
    if (*p || y < 1900 || mo < 1 || mo > 12 || d < 1 || d > rtc_days_in_month(y, mo) ||
        h > 23 || mi > 59 || se > 59) {
        return false;
    }
    *sec = rtc_days_from_date(y, mo, d) * RTC_SECS_PER_DAY + h * 3600 + mi * 60 + se;
    return true;
}

/* The host's offset from UTC at the calendar second sec, in seconds. */
static int64_t rtc_local_offset(int64_t sec)
{
    int64_t offset = 0;
    GDateTime *utc = g_date_time_new_from_unix_utc(sec);
    GDateTime *local = utc ? g_date_time_to_local(utc) : NULL;
    if (local) {
        offset = g_date_time_get_utc_offset(local) / G_TIME_SPAN_SECOND;
        g_date_time_unref(local);
    }
    if (utc) {
        g_date_time_unref(utc);
    }
    return offset;
}

bool rtc_base_start(const char *base, int64_t *sec, int64_t *phase, Error **errp)
{
    int64_t wall = clock_get_ns(CLOCK_WALL);
    if (rtc_parse_date(base, sec)) {
        *phase = 0;
        return true;
    }
    if (strcmp(base, "utc") && strcmp(base, "localtime")) {
        error_setg(errp, "invalid datetime format\n"
                   "valid formats: '2006-06-17T16:01:21' or '2006-06-17'");
        return false;
    }
    *sec = floor_div(wall, NANOSECONDS_PER_SECOND);
    *phase = floor_mod(wall, NANOSECONDS_PER_SECOND);
    if (!strcmp(base, "localtime")) {
        *sec += rtc_local_offset(*sec);
    }
    return true;
}

bool rtc_base_check(const char *base, Error **errp)
{
    int64_t sec, phase;
    return rtc_base_start(base, &sec, &phase, errp);
}

bool rtc_clock_parse(const char *name, ClockType *clock, Error **errp)
{
    if (!strcmp(name, "host")) {
        *clock = CLOCK_WALL;            /* the host's wall clock, also while the VM is paused */
    } else if (!strcmp(name, "rt")) {
        *clock = CLOCK_HOST;            /* host monotonic: deaf to changes of the host's time */
    } else if (!strcmp(name, "vm")) {
        *clock = CLOCK_VIRTUAL;         /* stops while the VM is paused */
    } else {
        error_setg(errp, "Parameter 'clock' does not accept value '%s'", name);
        return false;
    }
    return true;
}
