/* Civil-date facts shared inside the library (the proleptic Gregorian
 * calendar of tradecore/clock.h). */
#ifndef TC_CORE_CIVIL_H
#define TC_CORE_CIVIL_H

/* The days of month M (1..12) of year Y: 28 to 31. M outside 1..12 is the
 * caller's error (not checked). */
static inline int tc__days_in_month(int y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return dim[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

#endif
