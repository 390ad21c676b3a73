/* The price CSV reader's fast path (src/market/ingest_fast.c) against the
 * general one (libcsv and tc_dec_parse): every file of a table of good and
 * bad inputs is loaded both ways and must give identical series (every
 * column) or the identical error (code and "<file>:<line>: <rule>"); and the
 * helpers alone accept exactly the plain forms and decline the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "market/ingest_fast.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/ingest.h"

#define Y "Date,Open,High,Low,Close,Adj Close,Volume\n"

static const struct {
    const char *name;   /* file name: the symbol comes from it */
    const char *text;
    int ok;             /* expected to load */
    const char *msg;    /* expected part of the message when not */
} cases[] = {
    {"good.csv", Y "2020-01-02,10.5,11,10,10.75,10.75,1000\n2020-01-03,10.8,11.2,10.1,11,11,900\n",
     1, NULL},
    {"quoted.csv", Y "\"2020-01-02\",\"10.5\",11,10,\"10.75\",10.75,\"1000\"\n", 1, NULL},
    {"crlf.csv", "Date,Open,High,Low,Close,Adj Close,Volume\r\n2020-01-02,1,2,0.5,1.5,1.5,7\r\n",
     1, NULL},
    {"bom.csv", "\xEF\xBB\xBF" " Date , Open,High,Low,Close,Adj_Close,Volume\n"
                "2020-01-02,1,2,0.5,1.5,1.5,7\n\n2020-01-06,1,2,0.5,1.5,1.5,8\n",
     1, NULL},
    {"forms.csv", Y "2020-01-02,007.50,+8,1e0,7.5E0,0.00000001,100.0\n"
                    "2020-01-03,7.50000000,8.0,1.00,7.5,9999999999.99999999,+100\n"
                    "2020-01-06,1,2,0.5,1.5,1.5,000000000000000000123\n"
                    "2020-01-07,1,2,0.5,1.5,1.5,123456789012345678\n",
     1, NULL},
    {"ohlcv.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n2020-01-02,1,2,0.5,1.5,7,3\n",
     1, NULL},
    {"long.csv", "date,symbol,open,high,low,close,volume\n2020-01-02,AAA,1,2,0.5,1.5,7\n"
                 "2020-01-02,BBB,3,4,2.5,3.5,8\n2020-01-03,AAA,1,2,0.5,1.5,9\n",
     1, NULL},
    {"f6.csv", Y "2020-01-02,1,2,0.5,1.5,7\n", 0, "f6.csv:2: expected 7 fields, found 6"},
    {"f8.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,7,9\n", 0, "f8.csv:2: expected 7 fields, found 8"},
    {"f20.csv", Y "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t\n", 0, "expected 7 fields, found 20"},
    {"empty.csv", Y "2020-01-02,,2,0.5,1.5,1.5,7\n", 0, "empty.csv:2: open is empty"},
    {"abc.csv", Y "2020-01-02,abc,2,0.5,1.5,1.5,7\n", 0, "open \"abc\" is not a decimal number"},
    {"comma.csv", Y "2020-01-02,\"1,5\",2,0.5,1.5,1.5,7\n", 0, "open \"1,5\" is not a decimal"},
    {"nan.csv", Y "2020-01-02,nan,2,0.5,1.5,1.5,7\n", 0, "open \"nan\" is not a decimal"},
    {"neg.csv", Y "2020-01-02,1,2,-0.5,1.5,1.5,7\n", 0, "low -0.5 is not positive"},
    {"zero.csv", Y "2020-01-02,1,2,0,1.5,1.5,7\n", 0, "low 0 is not positive"},
    {"zeros.csv", Y "2020-01-02,1,2,0.00000000,1.5,1.5,7\n", 0, "low 0.00000000 is not positive"},
    {"dot.csv", Y "2020-01-02,1.,2,0.5,1.5,1.5,7\n", 0, "open \"1.\" is not a decimal"},
    {"lead.csv", Y "2020-01-02,.5,2,0.5,1.5,1.5,7\n", 0, "open \".5\" is not a decimal"},
    {"nine.csv", Y "2020-01-02,1.123456789,2,0.5,1.5,1.5,7\n", 0,
     "open 1.123456789 has more than 8 decimal places"},
    {"huge.csv", Y "2020-01-02,1,99999999999,0.5,1.5,1.5,7\n", 0, "high 99999999999 is too large (at most 92233720368.54775807)"},
    {"space.csv", Y "2020-01-02, 1,2,0.5,1.5,1.5,7\n", 0, "open \" 1\" is not a decimal"},
    {"cr.csv", Y "2020-01-02,1\r5,2,0.5,1.5,1.5,7\n", 0, "cr.csv:2: expected 7 fields, found 8"},
    {"hilo.csv", Y "2020-01-02,1,2,2.5,1.5,1.5,7\n", 0, "low 2.5 is above high 2"},
    {"open.csv", Y "2020-01-02,0.4,2,0.5,1.5,1.5,7\n", 0, "open 0.4 is below low 0.5"},
    {"close.csv", Y "2020-01-02,1,2,0.5,2.5,1.5,7\n", 0, "close 2.5 is above high 2"},
    {"adj.csv", Y "2020-01-02,1,2,0.5,1.5,0,7\n", 0, "adj close 0 is not positive"},
    {"date.csv", Y "2023-02-30,1,2,0.5,1.5,1.5,7\n", 0, "date \"2023-02-30\" is not a valid"},
    {"date2.csv", Y "20230101,1,2,0.5,1.5,1.5,7\n", 0, "date \"20230101\" is not a valid"},
    {"dup.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,7\n2020-01-02,1,2,0.5,1.5,1.5,7\n", 0,
     "dup.csv:3: duplicate date 2020-01-02 of DUP (first on line 2)"},
    {"order.csv", Y "2020-01-03,1,2,0.5,1.5,1.5,7\n2020-01-02,1,2,0.5,1.5,1.5,7\n", 0,
     "order.csv:3: date 2020-01-02 of ORDER is not after 2020-01-03"},
    {"vneg.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,-1\n", 0, "volume -1 is negative"},
    {"vfrac.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,100.5\n", 0, "volume 100.5 is not a whole number"},
    {"vbig.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,99999999999999999999\n", 0,
     "volume 99999999999999999999 is too large"},
    {"vtext.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,many\n", 0, "volume \"many\" is not a number"},
    {"quote.csv", Y "2020-01-02,\"1,2,0.5,1.5,1.5,7\n", 0, "malformed CSV quoting"},
    {"hdr.csv", "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,7\n", 0,
     "unknown header"},
    {"only.csv", Y, 0, "no data rows after the header"},
    {"lsym.csv", "date,symbol,open,high,low,close,volume\n2020-01-02,A B,1,2,0.5,1.5,7\n", 0,
     "symbol \"A B\" is not 1..64 characters"},
    {"late.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,7\n2020-01-03,1,2,0.5,1.5,1.5,7\n"
                   "2020-01-06,1,2,3,1.5,1.5,7\n",
     0, "late.csv:4: low 3 is above high 2"},
    /* six decimals, as gen-bars writes them (the straight-line path) */
    {"six.csv", Y "1990-01-02,186.635805,187.945055,183.220906,183.270389,183.270389,1166899\n"
                  "1990-01-03,0.000001,9999999999.999999,0.000001,0.000001,000.100000,0\n",
     1, NULL},
    {"six10.csv", Y "2020-01-02,1.000000,99999999999.000000,0.5,1,1,7\n", 0,
     "high 99999999999.000000 is too large"},
    {"sixneg.csv", Y "2020-01-02,1.000000,2.000000,-0.500000,1.5,1.5,7\n", 0,
     "low -0.500000 is not positive"},
    {"sixzero.csv", Y "2020-01-02,1.000000,2.000000,0.000000,1.5,1.5,7\n", 0,
     "low 0.000000 is not positive"},
    {"sixbad.csv", Y "2020-01-02,1.00000a,2,0.5,1.5,1.5,7\n", 0,
     "open \"1.00000a\" is not a decimal"},
    {"sixdots.csv", Y "2020-01-02,1.2.3456,2,0.5,1.5,1.5,7\n", 0,
     "open \"1.2.3456\" is not a decimal"},
    {"sixsign.csv", Y "2020-01-02,+1.000000,2,0.5,1.5,1.5,7\n", 1, NULL},
    {"sixexp.csv", Y "2020-01-02,1.50000e0,2,0.5,1.5,1.5,7\n", 1, NULL},
    {"sixhilo.csv", Y "2020-01-02,1.000000,2.000000,2.000001,1.5,1.5,7\n", 0,
     "low 2.000001 is above high 2.000000"},
    /* quotes and CRs at every place of an eight-byte word, and commas on
     * word boundaries: the split works a word at a time */
    {"w8.csv", Y "2020-01-02,1.5,2.5,1,1.5,1.5,7\n2020-01-03,12345,12345,12345,12345,12345,1\n",
     1, NULL},
    {"wq.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,\"7\"\n", 1, NULL},
    {"wcr.csv", Y "2020-01-02,1,2,0.5,1.5,1.5\r,7\n", 0,
     "wcr.csv:2: expected 7 fields, found 8"}, /* libcsv ends a record at the CR */
    {"wq2.csv", Y "2020-01-02,\"1\",2,0.5,1.5,1.5,7\n", 1, NULL},
    {"wtail.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,7,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n", 0,
     "expected 7 fields, found 47"},
    /* whole rows parsed in place (tc__prices_row_plain): dates across
     * months, years and leap days through its month cache, the last row
     * without a newline, and each rule broken after good rows */
    {"months.csv", Y "2019-12-31,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                     "2020-01-01,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                     "2020-01-31,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                     "2020-02-29,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                     "2020-03-01,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                     "2000-02-29,1,2,1,1,1,1",
     0, "months.csv:7: date 2000-02-29 of MONTHS is not after 2020-03-01 (line 6)"},
    {"leap.csv", Y "1900-02-28,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                   "1900-02-29,1.000000,2.000000,0.500000,1.500000,1.500000,7\n",
     0, "leap.csv:3: date \"1900-02-29\" is not a valid YYYY-MM-DD date"},
    {"leap4.csv", Y "2021-02-01,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                    "2021-02-29,1.000000,2.000000,0.500000,1.500000,1.500000,7\n",
     0, "leap4.csv:3: date \"2021-02-29\" is not a valid"},
    {"leap400.csv", Y "2000-02-29,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                      "2000-03-31,1.000000,2.000000,0.500000,1.500000,1.500000,7\n"
                      "2000-04-30,1.000000,2.000000,0.500000,1.500000,1.500000,7",
     1, NULL},
    {"month0.csv", Y "0000-00-05,1.000000,2.000000,0.500000,1.500000,1.500000,7\n", 0,
     "month0.csv:2: date \"0000-00-05\" is not a valid"},
    {"month13.csv", Y "2020-12-05,1,2,1,1,1,1\n2020-13-01,1,2,1,1,1,1\n", 0,
     "month13.csv:3: date \"2020-13-01\" is not a valid"},
    {"month16.csv", Y "2021-01-05,1,2,1,1,1,1\n2020-17-01,1,2,1,1,1,1\n", 0,
     "month16.csv:3: date \"2020-17-01\" is not a valid"},
    {"day0.csv", Y "2020-01-05,1,2,1,1,1,1\n2020-01-00,1,2,1,1,1,1\n", 0,
     "day0.csv:3: date \"2020-01-00\" is not a valid"},
    {"day32.csv", Y "2020-01-05,1,2,1,1,1,1\n2020-01-32,1,2,1,1,1,1\n", 0,
     "day32.csv:3: date \"2020-01-32\" is not a valid"},
    {"dsep.csv", Y "2020/01/05,1,2,1,1,1,1\n", 0, "date \"2020/01/05\" is not a valid"},
    {"dlong.csv", Y "2020-01-055,1,2,1,1,1,1\n", 0, "date \"2020-01-055\" is not a valid"},
    {"dshort.csv", Y "2020-01-05\n", 0, "dshort.csv:2: expected 7 fields, found 1"},
    {"dxx.csv", Y "2020-0x-05,1,2,1,1,1,1\n", 0, "date \"2020-0x-05\" is not a valid"},
    {"nonl.csv", Y "2020-01-02,186.635805,187.945055,183.220906,183.270389,183.270389,1166899",
     1, NULL},
    {"nonl6.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,7\n2020-01-03,1,2,0.5,1.5,1.000000", 0,
     "nonl6.csv:3: expected 7 fields, found 6"},
    {"long6.csv", Y "2020-01-02,1.000000,2.000000,0.500000,1.500000,1.5000000,7\n", 1, NULL},
    {"short6.csv", Y "2020-01-02,1.000000,2.000000,0.500000,1.500000,1.50000,7\n", 1, NULL},
    {"int7.csv", Y "2020-01-02,1234567.123456,7654321.000001,0000001.999999,0012345.000000,"
                   "9.000001,1\n2020-01-03,12.000000,12345.000000,1.000000,1234.000000,12345.000000,"
                   "1\n2020-01-06,123456.5,12345678.000000,123456.000000,1234567.100000,"
                   "123456789.000000,1\n2020-01-07,1234567890.000000,9999999999.999999,"
                   "1234567890.000000,1234567890.000001,1.5,1\n",
     1, NULL},
    {"adjdot.csv", Y "2020-01-02,1.000000,2.000000,1.000000,1.000000,1.,1\n", 0,
     "adjdot.csv:2: adj close \"1.\" is not a decimal number"},
    {"int7b.csv", Y "2020-01-02,1a34567.123456,2,1,1,1,1\n", 0,
     "open \"1a34567.123456\" is not a decimal number"},
    {"int7c.csv", Y "2020-01-02,1,2,1,1,1,1\n2020-01-03,1,2,1,1,1,1\n"
                    "2020-01-06,1,2,1,1,1,1\n2020-01-07,1,12,1,1,1,1\n", 1, NULL},
    {"int11.csv", Y "2020-01-02,1,12345678901.000000,0.5,1,1,7\n", 1, NULL}, /* in range */
    {"int30.csv", Y "2020-01-02,1,123456789012345678901234567890.5,0.5,1,1,7\n", 0,
     "high 123456789012345678901234567890.5 is too large"},
    {"v19.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,1234567890123456789\n", 1, NULL},
    {"v30.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,123456789012345678901234567890\n", 0,
     "volume 123456789012345678901234567890 is too large"},
    {"vempty.csv", Y "2020-01-02,1,2,0.5,1.5,1.5,\n", 0, "vempty.csv:2: volume is empty"},
    {"adj6.csv", Y "2020-01-02,1.000000,2.000000,0.500000,1.500000,0.000000,7\n", 0,
     "adj close 0.000000 is not positive"},
    {"open6.csv", Y "2020-01-02,0.400000,2.000000,0.500000,1.500000,1.5,7\n", 0,
     "open 0.400000 is below low 0.500000"},
    {"open6h.csv", Y "2020-01-02,2.100000,2.000000,0.500000,1.500000,1.5,7\n", 0,
     "open 2.100000 is above high 2.000000"},
    {"close6.csv", Y "2020-01-02,1.000000,2.000000,0.500000,0.400000,1.5,7\n", 0,
     "close 0.400000 is below low 0.500000"},
    {"ocv.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                "2020-01-02,1.000000,2.000000,0.500000,1.500000,7,3\n"
                "2020-01-03,1.000000,2.000000,0.500000,1.500000,0,0\n"
                "2020-01-06,1.000000,2.000000,0.500000,1.500000,8,-1\n",
     0, "ocv.csv:4: open interest -1 is negative"},
    {"ocv2.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                 "2020-01-02,1.000000,2.000000,0.500000,1.500000,7,3,\n",
     0, "ocv2.csv:2: expected 7 fields, found 8"},
    {"ocv3.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                 "2020-01-02,1.000000,2.000000,0.500000,1.500000,7,3\n"
                 "2020-01-02,1.000000,2.000000,0.500000,1.500000,7,3\n",
     0, "ocv3.csv:3: duplicate date 2020-01-02 of OCV3 (first on line 2)"},
    /* whole lines a word at a time (tc__prices_line_plain): fractions of
     * 1..9 digits, integer parts of 1..11 digits on both sides of a word,
     * exponents, signs and spaces, CRLF and lone CRs, missing and extra
     * fields, volumes across words, NaN, negative, huge */
    {"wfrac.csv", Y "2020-01-02,1.1,2.12,1.01,1.1234,1.12345,1\n"
                    "2020-01-03,1.123456,2.1234567,1.12345,1.5,0.00000001,12345678\n"
                    "2020-01-06,1234567.12345678,12345678.5,123456.1,1234567,9.99999999,"
                    "1234567890123456\n",
     1, NULL},
    {"wfrac9.csv", Y "2020-01-02,1.000000,2.123456789,1,1,1,1\n", 0,
     "wfrac9.csv:2: high 2.123456789 has more than 8 decimal places"},
    {"wint8.csv", Y "2020-01-02,12345678,123456789.12345678,12345677.99999999,99999999.9,1,1\n",
     1, NULL},
    {"wint10.csv", Y "2020-01-02,1,9999999999.99999999,1,1,1,1\n", 1, NULL},
    {"wexp.csv", Y "2020-01-02,1.000000,2.0e1,1,1,1,1\n", 1, NULL},
    {"wexp2.csv", Y "2020-01-02,1.000000,2,1,1e,1,1\n", 0, "close \"1e\" is not a decimal"},
    {"wplus.csv", Y "2020-01-02,1.000000,+2.000000,1,1,1,+7\n", 1, NULL},
    {"wminus.csv", Y "2020-01-02,1.000000,2.000000,1,1,-1.000000,7\n", 0,
     "adj close -1.000000 is not positive"},
    {"wsp1.csv", Y "2020-01-02,1.000000 ,2.000000,1,1,1,7\n", 0,
     "open \"1.000000 \" is not a decimal"},
    {"wsp2.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7 \n", 0, "volume \"7 \" is not a number"},
    {"wsp3.csv", Y "2020-01-02,1.000000,2.000000,1,1,1, 7\n", 0, "volume \" 7\" is not a number"},
    {"wsp4.csv", Y " 2020-01-02,1.000000,2.000000,1,1,1,7\n", 0,
     "date \" 2020-01-02\" is not a valid"},
    {"wcrlf.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7\r\n2020-01-03,1.5,2,1,1,1,8\r\n"
                    "2020-01-06,1.5,2,1,1,1,9\r",
     1, NULL},
    {"wcr2.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7\r\r\n", 1, NULL}, /* libcsv: CR ends it */
    {"wcr3.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7\rx\n", 0, "wcr3.csv:2: expected 7 fields, found 8"},
    {"wcr4.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7\n\r\n2020-01-03,1,2,1,1,1,7\n", 1, NULL},
    {"wmiss.csv", Y "2020-01-02,1.000000,2.000000,1,1,7\n", 0, "wmiss.csv:2: expected 7 fields"},
    {"wmiss2.csv", Y "2020-01-02,1.000000,2.000000,1,1,1\n", 0, "expected 7 fields, found 6"},
    {"wextra.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7,\n", 0, "expected 7 fields, found 8"},
    {"wv8.csv", Y "2020-01-02,1,2,1,1,1,12345678\n2020-01-03,1,2,1,1,1,1234567812345678\n"
                  "2020-01-06,1,2,1,1,1,123456781234567812\n2020-01-07,1,2,1,1,1,0\n",
     1, NULL},
    {"wv19.csv", Y "2020-01-02,1,2,1,1,1,9223372036854775807\n", 1, NULL},
    {"wv20.csv", Y "2020-01-02,1,2,1,1,1,9223372036854775808\n", 0,
     "volume 9223372036854775808 is too large"},
    {"wvneg.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,-5\n", 0, "volume -5 is negative"},
    {"wvnan.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,NaN\n", 0, "volume \"NaN\" is not a"},
    {"wpnan.csv", Y "2020-01-02,1.000000,NaN,1,1,1,7\n", 0, "high \"NaN\" is not a decimal"},
    {"wpinf.csv", Y "2020-01-02,1.000000,inf,1,1,1,7\n", 0, "high \"inf\" is not a decimal"},
    {"wdup.csv", Y "2020-01-02,1.000000,2.000000,1,1,1,7\r\n2020-01-03,1,2,1,1,1,7\r\n"
                   "2020-01-03,1,2,1,1,1,7\r\n",
     0, "wdup.csv:4: duplicate date 2020-01-03 of WDUP (first on line 3)"},
    {"worder.csv", Y "2020-01-02,1,2,1,1,1,7\n\n2020-01-06,1,2,1,1,1,7\n2020-01-03,1,2,1,1,1,7\n",
     0, "worder.csv:5: date 2020-01-03 of WORDER is not after 2020-01-06 (line 4)"},
    {"wmonth.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02-29,1,2,1,1,1,7\n2020-03-31,1,2,1,1,1,7\n"
                     "2020-04-30,1,2,1,1,1,7\n2020-04-31,1,2,1,1,1,7\n",
     0, "wmonth.csv:6: date \"2020-04-31\" is not a valid"},
    {"wday.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02-1x,1,2,1,1,1,7\n", 0,
     "date \"2020-02-1x\" is not a valid"},
    {"wdsep.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02/11,1,2,1,1,1,7\n", 0,
     "date \"2020-02/11\" is not a valid"},
    {"wadj.csv", Y "2020-01-02,1234567,1234568,1234566,1234567.12345678,1234567.12345678,1\n"
                   "2020-01-03,1234567,1234568,1234566,1234567.12345678,1234567.12345679,2\n"
                   "2020-01-06,1.5,2,1,1.5,1.55,3\n2020-01-07,1.55,2,1,1.55,1.5,4\n"
                   "2020-01-08,1.5,2,1,1.5,1.5,5\n2020-01-09,1.50000000,2,1,1.5,1.50000000,6\n"
                   "2020-01-10,12345678.5,12345679,12345678,12345678.12345678,12345678.12345678,7\n"
                   "2020-01-13,2,3,1,2,2,8",
     1, NULL},
    {"wadj2.csv", Y "2020-01-02,1.5,2,1,1.5,1.5,x\n", 0, "wadj2.csv:2: volume \"x\" is not a"},
    {"wadj3.csv", Y "2020-01-02,1.5,2,1,1.5,1.5x,7\n", 0, "adj close \"1.5x\" is not a decimal"},
    {"wadj4.csv", Y "2020-01-02,1.5,2,1,1.5,1.5\n", 0, "wadj4.csv:2: expected 7 fields, found 6"},
    {"wohlcv.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\r\n"
                   "2020-01-02,1.5,2.25,1.125,2,12345678,123456781234567812\r\n"
                   "2020-01-03,1.5,2.25,1.125,2,0,0",
     1, NULL},
    /* prices of 1..8 integer digits and six fractional ones (the integer
     * digits on both sides of a word, of the two-digit step and of the
     * eight-digit one), leading zeros, the adj close as the close up to
     * 15 bytes and one byte off at its end, volumes of 1..8 digits */
    {"w6k.csv", Y "2020-01-02,1.000001,9.999999,0.000001,5.500000,5.500000,1\n"
                  "2020-01-03,12.123456,99.999999,10.000000,12.123456,12.123456,12\n"
                  "2020-01-06,123.123456,999.999999,100.000001,123.123456,123.123456,123\n"
                  "2020-01-07,1234.123456,9999.999999,1000.000000,1234.123456,1234.123456,"
                  "1234\n"
                  "2020-01-08,12345.123456,99999.999999,10000.000000,12345.123456,12345.123456,"
                  "12345\n"
                  "2020-01-09,123456.123456,999999.999999,100000.000000,123456.123456,"
                  "123456.123450,123456\n"
                  "2020-01-10,1234567.123456,9999999.999999,1000000.000000,1234567.123456,"
                  "1234567.123456,1234567\n"
                  "2020-01-13,12345678.123456,99999999.999999,10000000.000000,12345678.123456,"
                  "12345678.123456,12345678\n"
                  "2020-01-14,0012.500000,0099.000000,0001.000000,0012.500000,0012.500000,"
                  "0000007\n"
                  "2020-01-15,1234567.1234567,1234568,1234567,1234567.1234567,1234567.1234567,"
                  "99999999\n"
                  "2020-01-16,1234567.1234567,1234568,1234567,1234567.1234567,1234567.1234568,"
                  "9999999\n"
                  "2020-01-17,2,3,1,2,2,0\n2020-01-20,2,3,1,2,20,0\n2020-01-21,2,3,1,2.000000,2,0\n"
                  "2020-01-22,2.000000,3.000000,1.000000,2.000000,2.0000001,-0\n",
     1, NULL},
    {"w6zero.csv", Y "2020-01-02,1.000000,2.000000,0.000000,1.500000,1.500000,7\n", 0,
     "w6zero.csv:2: low 0.000000 is not positive"},
    {"w6x.csv", Y "2020-01-02,1.123456x,2.000000,1.000000,1.500000,1.500000,7\n", 0,
     "w6x.csv:2: open \"1.123456x\" is not a decimal"},
    {"w6exp.csv", Y "2020-01-02,1.000000,1.123456e1,1.000000,1.500000,1.500000,7\n"
                    "2020-01-03,1.000000,1.123456E+1,1.000000,1.500000,1.500000,7\n",
     1, NULL},
    {"w6plus.csv", Y "2020-01-02,+1.000000,2.000000,1.000000,1.500000,1.500000,+7\n", 1, NULL},
    {"w6neg.csv", Y "2020-01-02,1.000000,2.000000,1.000000,-1.500000,1.500000,7\n", 0,
     "w6neg.csv:2: close -1.500000 is not positive"},
    {"w6dot.csv", Y "2020-01-02,.123456,2.000000,0.100000,1.500000,1.500000,7\n", 0,
     "open \".123456\" is not a decimal"},
    {"w6dot2.csv", Y "2020-01-02,1..12345,2.000000,0.100000,1.500000,1.500000,7\n", 0,
     "open \"1..12345\" is not a decimal"},
    {"w6sp.csv", Y "2020-01-02,1.000000,2.123456 ,0.100000,1.500000,1.500000,7\n", 0,
     "high \"2.123456 \" is not a decimal"},
    {"w6sp2.csv", Y "2020-01-02,1.000000,2.000000,0.100000,1.500000, 1.500000,7\n", 0,
     "adj close \" 1.500000\" is not a decimal"},
    {"w6f5.csv", Y "2020-01-02,1.00000,2.0000000,0.10000000,1.50000,1.5000000,7\n", 1, NULL},
    {"w6f9.csv", Y "2020-01-02,1.000000,2.000000,0.100000,1.500000,1.500000000,7\n", 1, NULL},
    {"w6f9b.csv", Y "2020-01-02,1.000000,2.000000,0.100000,1.500000,1.500000001,7\n", 0,
     "adj close 1.500000001 has more than 8 decimal places"},
    {"w6hilo.csv", Y "2020-01-02,1.000000,2.000000,2.000001,2.000000,2.000000,7\n", 0,
     "w6hilo.csv:2: low 2.000001 is above high 2.000000"},
    {"w6open.csv", Y "2020-01-02,2.000001,2.000000,1.000000,2.000000,2.000000,7\n", 0,
     "open 2.000001 is above high 2.000000"},
    {"w6close.csv", Y "2020-01-02,1.000000,2.000000,1.000000,0.999999,0.999999,7\n", 0,
     "close 0.999999 is below low 1.000000"},
    {"w6vol.csv", Y "2020-01-02,1.000000,2.000000,1.000000,1.500000,1.500000,\n", 0,
     "w6vol.csv:2: volume is empty"},
    {"w6vol2.csv", Y "2020-01-02,1.000000,2.000000,1.000000,1.500000,1.500000,0000000000000000001\n"
                     "2020-01-03,1.000000,2.000000,1.000000,1.500000,1.500000,1234567e1\n",
     1, NULL},
    {"w6date.csv", Y "2000-02-28,1,2,1,1,1,1\n2000-02-29,1,2,1,1,1,1\n2000-03-01,1,2,1,1,1,1\n"
                     "2000-12-31,1,2,1,1,1,1\n2001-01-01,1,2,1,1,1,1\n2004-02-29,1,2,1,1,1,1\n",
     1, NULL},
    {"w6feb.csv", Y "1899-12-29,1,2,1,1,1,1\n1900-02-28,1,2,1,1,1,1\n1900-02-29,1,2,1,1,1,1\n",
     0, "w6feb.csv:4: date \"1900-02-29\" is not a valid"},
    {"w6feb2.csv", Y "2021-02-28,1,2,1,1,1,1\n2021-02-29,1,2,1,1,1,1\n", 0,
     "w6feb2.csv:3: date \"2021-02-29\" is not a valid"},
    {"w6mon.csv", Y "2021-12-28,1,2,1,1,1,1\n2021-13-01,1,2,1,1,1,1\n", 0,
     "w6mon.csv:3: date \"2021-13-01\" is not a valid"},
    {"w6mon0.csv", Y "2021-00-28,1,2,1,1,1,1\n", 0, "w6mon0.csv:2: date \"2021-00-28\""},
    {"w6day0.csv", Y "2021-01-28,1,2,1,1,1,1\n2021-01-00,1,2,1,1,1,1\n", 0,
     "w6day0.csv:3: date \"2021-01-00\" is not a valid"},
    {"w6day32.csv", Y "2021-01-28,1,2,1,1,1,1\n2021-01-32,1,2,1,1,1,1\n", 0,
     "w6day32.csv:3: date \"2021-01-32\" is not a valid"},
    /* a day's digit below '0' (or a space) after a row of the same month */
    {"w6dsl.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02-/1,1,2,1,1,1,7\n", 0,
     "w6dsl.csv:3: date \"2020-02-/1\" is not a valid"},
    {"w6dsl2.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02-1/,1,2,1,1,1,7\n", 0,
     "w6dsl2.csv:3: date \"2020-02-1/\" is not a valid"},
    {"w6dsp.csv", Y "2020-02-10,1,2,1,1,1,7\n2020-02- 9,1,2,1,1,1,7\n", 0,
     "w6dsp.csv:3: date \"2020-02- 9\" is not a valid"},
    {"w6ohlcv.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                    "2020-01-02,186.635805,187.945055,183.220906,183.270389,1166899,12\n"
                    "2020-01-03,183.476934,184.928786,182.175883,183.366481,6263832,0\r\n"
                    "2020-01-06,1.000000,1.000000,1.000000,1.000000,0,12345678",
     1, NULL},
    {"wohlcv2.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                    "2020-01-02,1.5,2.25,1.125,2,1.5,0\n",
     0, "volume 1.5 is not a whole number"},
};

static void write_bytes(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}


/* Loads PATH both ways: the same code, message and series, or fails. */
static void load_both(const char *path, const char *what)
{
    struct tc_bar_set sets[2];
    struct tc_error err;
    tc_test_load_both(path, what, sets, &err);
    tc_test_assert_same_set(&sets[0], &sets[1], what);
    tc_bar_set_release(&sets[0]);
    tc_bar_set_release(&sets[1]);
}

static void test_fast_equals_general(void **state)
{
    (void)state;
    char dir[512], path[700];
    assert_int_equal(tc_test_tmpdir("ingest_fast", dir, sizeof dir), 0);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[k].name);
        tc_test_write_file(path, cases[k].text);
        struct tc_bar_set sets[2];
        struct tc_error err;
        int rc = tc_test_load_both(path, cases[k].name, sets, &err);
        if (cases[k].ok) {
            if (rc != 0)
                fail_msg("%s: %s", cases[k].name, err.msg);
            tc_test_assert_same_set(&sets[0], &sets[1], cases[k].name);
            assert_true(sets[1].n >= 1);
        } else {
            if (rc == 0)
                fail_msg("%s: loaded, want an error with \"%s\"", cases[k].name, cases[k].msg);
            if (!strstr(err.msg, cases[k].msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", cases[k].name, err.msg,
                         cases[k].msg);
            assert_int_equal(sets[1].n, 0);
            assert_null(sets[1].items);
        }
        tc_bar_set_release(&sets[0]);
        tc_bar_set_release(&sets[1]);
    }
}

static void test_mutated_rows(void **state)
{
    (void)state;
    /* good files of both one-symbol formats with one to three bytes
     * replaced, inserted or deleted (NUL, quote, CR and newline included):
     * the in-place row parser gives what the general path gives */
    static const char *const base[] = {
        Y "2020-02-27,186.635805,187.945055,183.220906,183.270389,183.270389,1166899\n"
          "2020-02-28,183.476934,184.928786,182.175883,183.366481,183.366481,6263832\n"
          "2020-03-02,1.5,2,1,1.25,1.25,0\n",
        "Date,Open,High,Low,Close,Volume,OpenInterest\n"
        "2019-12-31,10.000000,12.000000,9.000000,11.000000,700,30\n"
        "2020-01-02,10,12,9,11,1,0\n2020-01-03,10.000000,12.000000,9.000000,11.000000,5,6",
    };
    static const char alpha[] = "0123456789.,-+e\"\r \nx\0/";
    char dir[512], path[700], what[64];
    struct tc_rng rng;
    tc_rng_seed(&rng, 11);
    assert_int_equal(tc_test_tmpdir("ingest_fast_mut", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/MUT.csv", dir);
    for (int k = 0; k < 3000; k++) {
        const char *b = base[k % 2];
        char t[512];
        size_t n = strlen(b), hdr = (size_t)(strchr(b, '\n') - b) + 1;
        memcpy(t, b, n);
        int edits = 1 + (int)tc_rng_below(&rng, 3);
        for (int e = 0; e < edits && n > hdr + 1; e++) {
            size_t at = hdr + (size_t)tc_rng_below(&rng, n - hdr);
            char c = alpha[tc_rng_below(&rng, sizeof alpha - 1)];
            int op = (int)tc_rng_below(&rng, 4);
            if (op == 0 && n + 1 < sizeof t) { /* insert */
                memmove(t + at + 1, t + at, n - at);
                t[at] = c;
                n++;
            } else if (op == 1) { /* delete */
                memmove(t + at, t + at + 1, n - at - 1);
                n--;
            } else {
                t[at] = c;
            }
        }
        write_bytes(path, t, n);
        snprintf(what, sizeof what, "mutation %d", k);
        load_both(path, what);
    }
}

static void test_big_file(void **state)
{
    (void)state;
    /* 20,000 consecutive days from 1999 in mixed number forms, rows of
     * varying length (more than the first row suggests, so the reservation
     * from the file's size grows): every bar as written, both ways */
    char dir[512], path[700];
    const int n = 20000;
    size_t cap = (size_t)n * 100 + 100, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "%s", Y);
    int64_t day0 = tc_days_from_civil(1999, 12, 25);
    for (int i = 0; i < n; i++) {
        int y, m, d;
        tc_civil_from_days(day0 + i, &y, &m, &d);
        long long ip = i < 10 ? 1 : 1 + (long long)i * 37 % 99999;
        if (i % 3 == 0)
            len += (size_t)snprintf(text + len, cap - len,
                                    "%04d-%02d-%02d,%lld.%06d,%lld.%06d,%lld,%lld.5,%lld,%d\n", y,
                                    m, d, ip, i % 1000000, ip + 1, 999999, ip, ip, ip, i);
        else
            len += (size_t)snprintf(text + len, cap - len, "%04d-%02d-%02d,%lld,%lld,%lld,%lld,%lld,%d\n",
                                    y, m, d, ip, ip, ip, ip, ip, i * 1000);
    }
    assert_int_equal(tc_test_tmpdir("ingest_fast_big", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/BIG.csv", dir);
    write_bytes(path, text, len);
    free(text);
    load_both(path, "BIG.csv");
    struct tc_bar_set set = {0};
    struct tc_error err = {0};
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
    assert_int_equal(set.n, 1);
    const struct tc_bar_series *s = &set.items[0];
    assert_int_equal(s->n, (size_t)n);
    assert_true(s->cap >= s->n);
    for (int i = 0; i < n; i++) {
        long long ip = i < 10 ? 1 : 1 + (long long)i * 37 % 99999;
        assert_int_equal(s->day[i], day0 + i);
        if (i % 3 == 0) {
            assert_int_equal(s->open[i].raw, ip * TC_DEC_ONE + (i % 1000000) * 100);
            assert_int_equal(s->high[i].raw, (ip + 1) * TC_DEC_ONE + 99999900);
            assert_int_equal(s->close[i].raw, ip * TC_DEC_ONE + TC_DEC_ONE / 2);
            assert_int_equal(s->volume[i], i);
        } else {
            assert_int_equal(s->open[i].raw, ip * TC_DEC_ONE);
            assert_int_equal(s->volume[i], (int64_t)i * 1000);
        }
        assert_int_equal(s->low[i].raw, ip * TC_DEC_ONE);
        assert_int_equal(s->adj_close[i].raw, ip * TC_DEC_ONE);
        assert_int_equal(s->open_interest[i], 0);
    }
    tc_bar_set_release(&set);
}

static void test_forms_values(void **state)
{
    (void)state;
    /* the values of forms.csv, exactly, whichever path read them */
    char dir[512], path[700];
    assert_int_equal(tc_test_tmpdir("ingest_fast_forms", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/forms.csv", dir);
    tc_test_write_file(path, cases[4].text);
    struct tc_bar_set set = {0};
    struct tc_error err = {0};
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
    const struct tc_bar_series *s = &set.items[0];
    assert_int_equal(s->n, 4);
    assert_int_equal(s->open[0].raw, 750000000);
    assert_int_equal(s->high[0].raw, 800000000);
    assert_int_equal(s->low[0].raw, 100000000);
    assert_int_equal(s->adj_close[0].raw, 1);
    assert_int_equal(s->volume[0], 100);
    assert_int_equal(s->adj_close[1].raw, INT64_C(999999999999999999));
    assert_int_equal(s->volume[1], 100);
    assert_int_equal(s->volume[2], 123);
    assert_int_equal(s->volume[3], INT64_C(123456789012345678));
    tc_bar_set_release(&set);
}

static void test_lines_plain(void **state)
{
    (void)state;
    /* many lines at once into a series: stored while in order, with room,
     * before STOP; the line numbers kept; a declined or out-of-order line
     * left where it starts */
    static const char text[] = "2020-01-02,1.500000,2.000000,1.000000,1.500000,1.500000,7\n"
                               "2020-01-03,1.5,2,1,1.5,1.25,8\r\n"
                               "2020-01-06,1.5,2,1,1.5,1.5,9\n"
                               "2020-01-06,1.5,2,1,1.5,1.5,10\n"
                               "2020-01-07,1.5,2,1,1.5,1.5,x\n"
                               "2020-01-08,1.5,2,1,1.5,1.5,11";
    char buf[sizeof text + 32] = {0};
    size_t n = sizeof text - 1;
    memcpy(buf, text, n);
    const char *end = buf + n, *p = buf, *l3 = strstr(buf, "2020-01-06"),
               *l4 = strstr(l3 + 1, "2020-01-06"), *l5 = strstr(buf, "2020-01-07");
    struct tc__day_cache dc = {0};
    dc.key = UINT64_MAX;
    struct tc_bar_series s;
    struct tc_error err = {0};
    long lines[8] = {0};
    tc_bar_series_init(&s, "X");
    tc_assert_ok(tc_bar_series_reserve(&s, 2, &err), &err);
    size_t cap = s.cap;

    /* STOP inside the second line: the first two (ending at or past it) */
    assert_int_equal(tc__prices_lines_plain(&p, end, buf + 60, 1, &dc, &s, lines, 10), 2);
    assert_ptr_equal(p, l3);
    assert_int_equal(s.n, 2);
    assert_int_equal(lines[0], 11);
    assert_int_equal(lines[1], 12);
    assert_int_equal(s.day[1], tc_days_from_civil(2020, 1, 3));
    assert_int_equal(s.adj_close[1].raw, 125000000);
    assert_int_equal(s.open_interest[1], 0);

    /* no room: nothing stored, nothing moved */
    s.cap = 2;
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, lines, 12), 0);
    assert_ptr_equal(p, l3);
    s.cap = cap;

    /* the third, then the fourth repeats its day: stops before it */
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, NULL, 12), 1);
    assert_ptr_equal(p, l4);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.volume[2], 9);
    assert_int_equal(lines[2], 0); /* LINES NULL: none kept */
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, lines, 13), 0);
    assert_ptr_equal(p, l4);

    /* past the repeated day (the caller's business), a bad volume stops it */
    p = l5;
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, lines, 14), 0);
    assert_ptr_equal(p, l5);
    p = strchr(l5, '\n') + 1;
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, lines, 15), 1);
    assert_ptr_equal(p, end);
    assert_int_equal(s.n, 4);
    assert_int_equal(lines[3], 16);
    assert_int_equal(s.volume[3], 11);
    assert_int_equal(tc__prices_lines_plain(&p, end, NULL, 1, &dc, &s, lines, 16), 0);
    assert_int_equal(s.n, 4);
    tc_bar_series_release(&s);
}

struct prog {
    uint64_t at[512];
    size_t n;
    uint64_t total;
};

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
    struct prog *g = ud;
    if (g->n < sizeof g->at / sizeof g->at[0])
        g->at[g->n] = done;
    g->n++;
    g->total = total;
}

static void test_ingest_progress_lines(void **state)
{
    (void)state;
    /* a file whose first row is long (its reservation grows) ingested by
     * both paths into stores of their own: the same progress reports (about
     * every 1%, each offset a line end) and counts; then a row changed far
     * down is a conflict naming its line, both ways */
    const int n = 3000;
    size_t cap = (size_t)n * 80 + 200, len = 0;
    char *text = malloc(cap), dir[2][512], path[2][700];
    struct tc_store *st[2];
    struct prog pg[2];
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "%s", Y);
    int64_t day0 = tc_days_from_civil(2001, 1, 1);
    for (int i = 0; i < n; i++) {
        int y, m, d;
        tc_civil_from_days(day0 + i, &y, &m, &d);
        if (i == 0)
            len += (size_t)snprintf(text + len, cap - len,
                                    "%04d-%02d-%02d,100.00000000,100.00000000,100.00000000,"
                                    "100.00000000,100.00000000,000000000000000001\n",
                                    y, m, d);
        else
            len += (size_t)snprintf(text + len, cap - len, "%04d-%02d-%02d,%d.5,%d,%d,%d.5,%d.5,%d\n",
                                    y, m, d, i, i + 1, i, i, i, i);
    }
    for (int fast = 0; fast < 2; fast++) {
        assert_int_equal(tc_test_hist_store(fast ? "ingest_fast_pr1" : "ingest_fast_pr0", 0,
                                            dir[fast], sizeof dir[fast], &st[fast]),
                         0);
        snprintf(path[fast], sizeof path[fast], "%s/PROG.csv", dir[fast]);
        write_bytes(path[fast], text, len);
        struct tc_ingest_options o;
        struct tc_ingest_result r;
        struct tc_error err = {0};
        tc_ingest_options_init(&o);
        o.market_id = "XNYS";
        o.create_instruments = 1;
        o.progress = on_progress;
        o.progress_ud = &pg[fast];
        memset(&pg[fast], 0, sizeof pg[fast]);
        tc__prices_fast = fast;
        int rc = tc_ingest_prices_file(st[fast], path[fast], &o, &r, &err);
        tc__prices_fast = 1;
        tc_assert_ok(rc, &err);
        assert_int_equal(r.rows_read, n);
        assert_int_equal(r.inserted, n);
    }
    assert_int_equal(pg[0].n, pg[1].n);
    assert_true(pg[1].n >= 90 && pg[1].n <= 110);
    assert_int_equal(pg[1].total, len);
    for (size_t i = 0; i < pg[1].n; i++) {
        assert_int_equal(pg[0].at[i], pg[1].at[i]);
        if (pg[1].at[i] < len)
            assert_int_equal(text[pg[1].at[i] - 1], '\n');
    }
    assert_int_equal(pg[1].at[pg[1].n - 1], len);

    /* row 2,500's volume (file line 2,502) changed: a conflict naming that line */
    char *row = text;
    for (int i = 0; i < 2501; i++)
        row = strchr(row, '\n') + 1;
    char want[64];
    snprintf(want, sizeof want, "PROG.csv:2502: PROG ");
    char *vol = strchr(row, '\n') - 1; /* the volume's last digit */
    *vol = *vol == '9' ? '8' : (char)(*vol + 1);
    for (int fast = 0; fast < 2; fast++) {
        write_bytes(path[fast], text, len);
        struct tc_ingest_options o;
        struct tc_error err = {0};
        tc_ingest_options_init(&o);
        o.market_id = "XNYS";
        tc__prices_fast = fast;
        int rc = tc_ingest_prices_file(st[fast], path[fast], &o, NULL, &err);
        tc__prices_fast = 1;
        if (rc != TC_ECONFLICT || !strstr(err.msg, want) || !strstr(err.msg, "is stored with volume"))
            fail_msg("fast %d: %s", fast, err.msg);
        tc_store_close(st[fast]);
    }
    free(text);
}

static void test_helpers(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
        int64_t raw;
    } decs[] = {
        {"0", 1, 0}, {"12", 1, 1200000000}, {"007.50", 1, 750000000}, {"0.00000001", 1, 1},
        {"9999999999.99999999", 1, INT64_C(999999999999999999)}, {"1.5", 1, 150000000},
        {"", 0, 0}, {".", 0, 0}, {"1.", 0, 0}, {".5", 0, 0}, {"-1", 0, 0}, {"+1", 0, 0},
        {"1e2", 0, 0}, {"1.123456789", 0, 0}, {"12345678901", 0, 0}, {"1.2.3", 0, 0},
        {"1 ", 0, 0}, {"nan", 0, 0},
    };
    for (size_t i = 0; i < sizeof decs / sizeof decs[0]; i++) {
        struct tc_dec d = {-7};
        int rc = tc__dec_parse_plain(decs[i].s, strlen(decs[i].s), &d);
        if (decs[i].ok ? (rc != 0 || d.raw != decs[i].raw) : rc != 1)
            fail_msg("\"%s\": rc %d raw %lld", decs[i].s, rc, (long long)d.raw);
        if (decs[i].ok) {
            /* the general parser agrees */
            struct tc_dec g;
            tc_assert_ok(tc_dec_parse(decs[i].s, (size_t)-1, &g, NULL), NULL);
            assert_int_equal(g.raw, d.raw);
        }
    }
    int64_t v = -1;
    assert_int_equal(tc__whole_parse_plain("0042", 4, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(tc__whole_parse_plain("123456789012345678", 18, &v), 0);
    assert_int_equal(v, INT64_C(123456789012345678));
    assert_int_equal(tc__whole_parse_plain("1234567890123456789", 19, &v), 1);
    assert_int_equal(tc__whole_parse_plain("", 0, &v), 1);
    assert_int_equal(tc__whole_parse_plain("+1", 2, &v), 1);
    assert_int_equal(tc__whole_parse_plain("1.0", 3, &v), 1);

    /* the six-decimal path against the general parser */
    static const char *const six[] = {
        "1.000000", "0.000001", "9999999999.999999", "0000000000.000000", "186.635805",
        "12345678901.000000", "1.00000a", "a.000000", "1.2.3456", "-1.000000", "+1.000000",
        "1 000000", "1.0000000", ".1234567", "1e.00000", "12.45678 ",
    };
    for (size_t i = 0; i < sizeof six / sizeof six[0]; i++) {
        struct tc_dec d = {-7}, g = {-7};
        int rc = tc__dec_parse_plain(six[i], strlen(six[i]), &d);
        int grc = tc_dec_parse(six[i], (size_t)-1, &g, NULL);
        if (rc == 0 && (grc != 0 || g.raw != d.raw))
            fail_msg("\"%s\": fast %lld, general rc %d %lld", six[i], (long long)d.raw, grc,
                     (long long)g.raw);
        if (rc != 0 && rc != 1)
            fail_msg("\"%s\": rc %d", six[i], rc);
    }
    struct tc_dec d6;
    assert_int_equal(tc__dec_parse_plain("186.635805", 10, &d6), 0);
    assert_int_equal(d6.raw, INT64_C(18663580500));
    assert_int_equal(tc__dec_parse_plain("9999999999.999999", 17, &d6), 0);
    assert_int_equal(d6.raw, INT64_C(999999999999999900));
    assert_int_equal(tc__dec_parse_plain("12345678901.000000", 18, &d6), 1);
    assert_int_equal(tc__dec_parse_plain("1.00000a", 8, &d6), 1);
    assert_int_equal(tc__dec_parse_plain("1.2.3456", 8, &d6), 1);
    assert_int_equal(tc__dec_parse_plain("-1.000000", 9, &d6), 1);
    /* random strings over a decimal's alphabet: whatever the fast parser
     * accepts, the general one accepts with the same value, and every
     * plain "digits.dddddd" with 1..10 integer digits is accepted */
    struct tc_rng rng;
    tc_rng_seed(&rng, 6);
    static const char alpha[] = "0123456789012345678901234567890123456789...+-e ";
    for (int k = 0; k < 200000; k++) {
        char t[24];
        size_t n = (size_t)tc_rng_below(&rng, 20);
        int plain = k % 2;
        if (plain) { /* I.FFFFFF */
            size_t id = 1 + (size_t)tc_rng_below(&rng, 11);
            n = id + 7;
            for (size_t j = 0; j < n; j++)
                t[j] = (char)('0' + tc_rng_below(&rng, 10));
            t[id] = '.';
            plain = id <= 10;
        } else {
            for (size_t j = 0; j < n; j++)
                t[j] = alpha[tc_rng_below(&rng, sizeof alpha - 1)];
        }
        t[n] = '\0';
        struct tc_dec d = {-7}, g = {-7};
        int rc = tc__dec_parse_plain(t, n, &d);
        int grc = tc_dec_parse(t, n, &g, NULL);
        if (rc == 0 && (grc != 0 || g.raw != d.raw))
            fail_msg("\"%s\": fast %lld, general rc %d %lld", t, (long long)d.raw, grc,
                     (long long)g.raw);
        if (plain && rc != 0)
            fail_msg("\"%s\": declined", t);
    }

    /* whole lines in place: accepted with their values and line ends */
    static const struct {
        const char *text;
        int yahoo, ok;
        int64_t open, adj, volume, oi;
    } lines[] = {
        {"2020-01-02,186.635805,187.945055,183.220906,183.270389,183.270389,1166899\n2",
         1, 1, INT64_C(18663580500), INT64_C(18327038900), 1166899, 0},
        {"2020-01-02,1.5,2,1,1.5,1.25,7\r\nx", 1, 1, 150000000, 125000000, 7, 0},
        {"2020-01-02,12345678.5,12345679,1,2,2,1234567812345678", 1, 1,
         INT64_C(1234567850000000), 200000000, INT64_C(1234567812345678), 0},
        {"2020-01-02,1.5,2,1,1.5,1.5,7\r", 1, 1, 150000000, 150000000, 7, 0},
        {"2020-01-02,1.5,2,1,1.5,7,123456789012345678\n", 0, 1, 150000000, 150000000, 7,
         INT64_C(123456789012345678)},
        {"2020-01-02,1.000001,2,1,1.5,1.5,1\n", 1, 1, 100000100, 150000000, 1, 0},
        {"2020-01-02,12.345678,13,12,12.5,12.5,12\n", 1, 1, 1234567800, 1250000000, 12, 0},
        {"2020-01-02,123.456789,124,123,123.5,123.5,123\n", 1, 1, 12345678900, 12350000000,
         123, 0},
        {"2020-01-02,1234.567891,1235,1234,1234.5,1234.5,1234\n", 1, 1, 123456789100,
         123450000000, 1234, 0},
        {"2020-01-02,12345.678912,12346,12345,12345.5,12345.5,12345\n", 1, 1,
         INT64_C(1234567891200), INT64_C(1234550000000), 12345, 0},
        {"2020-01-02,1234567.891234,1234568,1234567,1234567.5,1234567.5,1234567\n", 1, 1,
         INT64_C(123456789123400), INT64_C(123456750000000), 1234567, 0},
        {"2020-01-02,12345678.912345,12345679,12345678,12345678.5,12345678.5,12345678\n", 1, 1,
         INT64_C(1234567891234500), INT64_C(1234567850000000), 12345678, 0},
        {"2020-01-02,0001.000000,2,1,1.5,1.500000,0000001\n", 1, 1, 100000000, 150000000, 1, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,7\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,0.000000,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000x,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.0000000,2,1,1.5,1.5,7\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,.000000,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000e0,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,-1.000000,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,-7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,7\n\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,7", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.5,7\r\r\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2,1,1.5,1.500000,7\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,1.000000,2,1,1.500000,1.5,7\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,1.000000,2,1,1.500000,1.500001,7\n", 1, 1, 100000000, 150000100, 7, 0},
        {"2020-01-02,1.000000,2,1,1.5000000,1.5000000,7\n", 1, 1, 100000000, 150000000, 7, 0},
        {"2020-01-02,1.000000,2.000000,1,1.000000,1.000000,7\n", 1, 1, 100000000, 100000000, 7,
         0},
        {"2020-01-02,1.000000,2.000000,1,2.000001,2.000001,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,0.999999,2.000000,1,1.000000,1.000000,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2.000000,2.000001,2.000000,2.000000,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,1.5,7\rx", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,1.5,7 \n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,1.5,1234567890123456789\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,1.5\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,1.123456789,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-01-02,1.5,2,1,1.5,0,7\n", 1, 0, 0, 0, 0, 0},
        {"2020-02-30,1.5,2,1,1.5,1.5,7\n", 1, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[160] = {0}; /* zeros after the text, as the reader leaves them */
        size_t n = strlen(lines[i].text);
        memcpy(buf, lines[i].text, n);
        struct tc__day_cache dc = {0};
        dc.key = UINT64_MAX;
        struct tc_bar b;
        const char *next = NULL;
        int rc = tc__prices_line_plain(buf, buf + n, lines[i].yahoo, &dc, &b, &next);
        if (rc != !lines[i].ok)
            fail_msg("line %zu: rc %d", i, rc);
        if (!lines[i].ok)
            continue;
        assert_int_equal(b.day, tc_days_from_civil(2020, 1, 2));
        assert_int_equal(b.open.raw, lines[i].open);
        assert_int_equal(b.adj_close.raw, lines[i].adj);
        assert_int_equal(b.volume, lines[i].volume);
        assert_int_equal(b.open_interest, lines[i].oi);
        const char *nl = strchr(buf, '\n'); /* past the first line end */
        assert_int_equal(next - buf, nl ? nl + 1 - buf : (long)n);
    }

    char fbuf[64];
    size_t off[4], len[4];
    int nf = -1;
    assert_int_equal(tc__csv_split_plain("a,,bc,", 6, fbuf, sizeof fbuf, off, len, 4, &nf), 0);
    assert_int_equal(nf, 4);
    assert_string_equal(fbuf + off[0], "a");
    assert_int_equal(len[1], 0);
    assert_string_equal(fbuf + off[2], "bc");
    assert_int_equal(len[3], 0);
    /* more fields than room: counted, the first MAXF kept */
    assert_int_equal(tc__csv_split_plain("1,2,3,4,5,6", 11, fbuf, sizeof fbuf, off, len, 4, &nf), 0);
    assert_int_equal(nf, 6);
    assert_string_equal(fbuf + off[3], "4");
    assert_int_equal(tc__csv_split_plain("a,\"b\"", 5, fbuf, sizeof fbuf, off, len, 4, &nf), 1);
    assert_int_equal(tc__csv_split_plain("a\rb", 3, fbuf, sizeof fbuf, off, len, 4, &nf), 1);
    assert_int_equal(tc__csv_split_plain("abcdef", 6, fbuf, 6, off, len, 4, &nf), 1);
    /* every length 0..40 with commas, quotes and CRs at every offset: the
     * word-at-a-time split agrees with a byte-by-byte one */
    for (size_t n = 0; n <= 40; n++) {
        for (size_t at = 0; at < n || (n == 0 && at == 0); at++) {
            for (int what = 0; what < 4; what++) {
                char line[48], want[48];
                size_t woff[64], wlen[64], goff[16], glen[16];
                int wn = 0, gnf = -1, bad = 0;
                size_t start = 0;
                for (size_t j = 0; j < n; j++)
                    line[j] = (char)('a' + (j * 7) % 26);
                for (size_t j = at % 5; j < n; j += 5)
                    line[j] = ','; /* commas every 5, shifted with AT */
                if (n > 0)
                    line[at] = what == 0 ? ',' : what == 1 ? '"' : what == 2 ? '\r' : 'z';
                for (size_t j = 0; j <= n; j++) {
                    if (j < n && (line[j] == '"' || line[j] == '\r'))
                        bad = 1;
                    if (j == n || line[j] == ',') {
                        woff[wn] = start;
                        wlen[wn] = j - start;
                        wn++;
                        want[j] = '\0';
                        start = j + 1;
                    } else {
                        want[j] = line[j];
                    }
                }
                char gbuf[48];
                int rc = tc__csv_split_plain(line, n, gbuf, sizeof gbuf, goff, glen, 16, &gnf);
                if (bad) {
                    if (rc != 1)
                        fail_msg("split of %zu bytes (%d at %zu): not declined", n, what, at);
                    continue;
                }
                if (rc != 0 || gnf != wn)
                    fail_msg("split of %zu bytes (%d at %zu): rc %d, %d fields, want %d", n,
                             what, at, rc, gnf, wn);
                assert_memory_equal(gbuf, want, n + 1);
                for (int f = 0; f < wn && f < 16; f++) {
                    assert_int_equal(goff[f], woff[f]);
                    assert_int_equal(glen[f], wlen[f]);
                }
            }
        }
    }
}

/* TEXT of exactly SIZE bytes: the header, rows of consecutive days from
 * 2000-01-01, blank lines, and a last row (volume 7654321) that ends at the
 * file's end, with a newline (NL) or without. *ROWS gets the rows. */
static size_t sized_text(char *text, size_t size, int nl, size_t *rows)
{
    const size_t last = strlen("2000-01-01,1.500000,2.500000,1.000000,1.500000,1.500000,7654321") +
                        (size_t)nl;
    size_t len = (size_t)snprintf(text, size + 1, "%s", Y), n = 0;
    char row[128];
    for (;;) {
        int y, m, d;
        tc_civil_from_days(tc_days_from_civil(2000, 1, 1) + (int64_t)n, &y, &m, &d);
        int k = snprintf(row, sizeof row, "%04d-%02d-%02d,1.%06zu,2.500000,1.000000,1.500000,"
                                          "1.500000,%zu\n",
                         y, m, d, n % 1000000, n);
        if (len + (size_t)k + last > size) {
            assert_true(len + last <= size);
            memset(text + len, '\n', size - last - len); /* blank lines: no rows */
            len = size - last;
            tc_civil_from_days(tc_days_from_civil(2000, 1, 1) + (int64_t)n, &y, &m, &d);
            k = snprintf(row, sizeof row, "%04d-%02d-%02d,1.500000,2.500000,1.000000,1.500000,"
                                          "1.500000,7654321\n",
                         y, m, d);
            memcpy(text + len, row, last);
            *rows = n + 1;
            return len + last;
        }
        memcpy(text + len, row, (size_t)k);
        len += (size_t)k;
        n++;
    }
}

static void test_mapped_sizes(void **state)
{
    (void)state;
    /* files large enough to be mapped rather than read, of every size
     * around page multiples (where a mapping has no zero bytes of its own
     * after the text) and of one page more or less than them, the last row
     * ending at the file's end with and without a newline: the bars as
     * written (the last one's volume not run into what follows), the same
     * on both paths */
    static const size_t sizes[] = {65536, 65536 * 2, 65536 + 4096 * 3, 200000};
    char dir[512], path[700], what[96];
    long page = sysconf(_SC_PAGESIZE);
    assert_true(page > 0);
    assert_int_equal(tc_test_tmpdir("ingest_fast_map", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/MAP.csv", dir);
    char *text = malloc(300000);
    assert_non_null(text);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (long delta = -40; delta <= 40; delta++) {
            for (int nl = 0; nl < 2; nl++) {
                size_t size = (size_t)((long)sizes[k] + delta), rows = 0;
                if (k == 3) /* a page multiple near 200,000 */
                    size = (size_t)((200000 / page) * page + delta);
                size_t len = sized_text(text, size, nl, &rows);
                assert_int_equal(len, size);
                write_bytes(path, text, len);
                snprintf(what, sizeof what, "a mapped file of %zu bytes (newline %d)", size, nl);
                struct tc_bar_set sets[2];
                struct tc_error err;
                if (tc_test_load_both(path, what, sets, &err) != 0)
                    fail_msg("%s: %s", what, err.msg);
                tc_test_assert_same_set(&sets[0], &sets[1], what);
                const struct tc_bar_series *s = &sets[1].items[0];
                assert_int_equal(s->n, rows);
                assert_int_equal(s->volume[rows - 1], 7654321);
                assert_int_equal(s->open[rows - 1].raw, 150000000);
                assert_int_equal(s->volume[rows - 2], (int64_t)rows - 2);
                assert_int_equal(s->day[rows - 1],
                                 tc_days_from_civil(2000, 1, 1) + (int64_t)rows - 1);
                tc_bar_set_release(&sets[0]);
                tc_bar_set_release(&sets[1]);
            }
        }
    }
    /* a bad row in a mapped file is reported at its line */
    size_t rows = 0, len = sized_text(text, 100000, 1, &rows);
    memcpy(text + len - 8, "x654321\n", 8);
    write_bytes(path, text, len);
    struct tc_bar_set sets[2];
    struct tc_error err;
    assert_int_equal(tc_test_load_both(path, "a mapped file with a bad volume", sets, &err), TC_EINVAL);
    size_t line = 1;
    for (size_t i = 0; i < len - 8; i++)
        line += text[i] == '\n';
    char want[160];
    snprintf(want, sizeof want, "MAP.csv:%zu: volume \"x654321\" is not a number", line);
    if (!strstr(err.msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
    assert_int_equal(sets[1].n, 0);
    free(text);
}

static void test_pipe_read(void **state)
{
    (void)state;
    /* a named pipe is read (not mapped), whatever its size: the same bars
     * as the regular file with the same text */
    char dir[512], path[700], fifo[700];
    size_t rows = 0, size = 150000;
    char *text = malloc(size + 1);
    assert_non_null(text);
    size_t len = sized_text(text, size, 0, &rows);
    assert_int_equal(tc_test_tmpdir("ingest_fast_pipe", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/PIPE.csv", dir);
    snprintf(fifo, sizeof fifo, "%s/PIPE-fifo.csv", dir);
    write_bytes(path, text, len);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the writer */
        FILE *f = fopen(fifo, "wb");
        size_t put = f ? fwrite(text, 1, len, f) : 0;
        _exit(f && put == len && fclose(f) == 0 ? 0 : 1);
    }
    struct tc_bar_set a = {0}, b = {0};
    struct tc_error err = {0};
    int rc = tc_prices_load_csv(fifo, TC_PRICES_AUTO, NULL, &a, &err);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    tc_assert_ok(rc, &err);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &b, &err), &err);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.items[0].n, rows);
    assert_int_equal(a.items[0].volume[rows - 1], 7654321);
    tc_test_assert_same_series(&a.items[0], &b.items[0], "PIPE-fifo.csv");
    tc_bar_set_release(&a);
    tc_bar_set_release(&b);
    unlink(fifo);
    free(text);
}

static void test_map_pad(void **state)
{
    (void)state;
    /* tc__prices_map: the file's bytes, then TC__PRICES_PAD zero bytes
     * inside the mapping, for sizes at and around page multiples; of a
     * file longer than the size asked, only that many bytes (zeros after
     * them); below the threshold or past the file's end, no mapping */
    char dir[512], path[700];
    long page = sysconf(_SC_PAGESIZE);
    assert_true(page > 0);
    assert_int_equal(tc_test_tmpdir("ingest_fast_mappad", dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/PAD.csv", dir);
    const size_t base = (size_t)page * 20;
    char *text = malloc(base * 2);
    assert_non_null(text);
    for (size_t i = 0; i < base * 2; i++)
        text[i] = (char)('1' + i % 9); /* digits only: no zero byte of the file's own */
    write_bytes(path, text, base * 2);
    for (long delta = -40; delta <= 40; delta++) {
        size_t size = (size_t)((long)base + delta), span = 0;
        if (size < TC__PRICES_MAP_MIN)
            continue;
        FILE *f = fopen(path, "rb");
        struct stat st;
        assert_non_null(f);
        assert_int_equal(fstat(fileno(f), &st), 0);
        char *m = tc__prices_map(fileno(f), &st, size, &span);
        if (!m)
            fail_msg("no mapping of %zu bytes", size);
        assert_true(span >= size + TC__PRICES_PAD);
        assert_int_equal(span % (size_t)page, 0);
        assert_memory_equal(m, text, size);
        for (size_t i = size; i < size + TC__PRICES_PAD; i++)
            if (m[i] != 0)
                fail_msg("%zu bytes mapped: byte %zu is %d, not 0", size, i, m[i]);
        assert_int_equal(munmap(m, span), 0);
        fclose(f);
    }
    /* the threshold, a size past the file's end (as the caller's stat
     * says, and past it with a stat that says more), and a stat that is
     * not a regular file's */
    FILE *f = fopen(path, "rb");
    struct stat st;
    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    size_t span = 7;
    assert_null(tc__prices_map(fileno(f), &st, TC__PRICES_MAP_MIN - 1, &span));
    assert_null(tc__prices_map(fileno(f), &st, base * 2 + 10, &span));
    assert_null(tc__prices_map(fileno(f), &st, base * 2 + (size_t)page, &span));
    struct stat big = st;
    big.st_size = (off_t)(base * 2 + 10);
    assert_null(tc__prices_map(fileno(f), &big, base * 2 + 10, &span));
    struct stat fifo = st;
    fifo.st_mode = (fifo.st_mode & ~(mode_t)S_IFMT) | S_IFIFO;
    assert_null(tc__prices_map(fileno(f), &fifo, TC__PRICES_MAP_MIN, &span));
    assert_int_equal(span, 7);
    char *m = tc__prices_map(fileno(f), &st, TC__PRICES_MAP_MIN, &span);
    assert_non_null(m);
    assert_memory_equal(m, text, TC__PRICES_MAP_MIN);
    assert_int_equal(m[TC__PRICES_MAP_MIN], 0);
    assert_int_equal(munmap(m, span), 0);
    fclose(f);
    free(text);
}

static void test_line_bytes(void **state)
{
    (void)state;
    /* one-symbol lines whose prices have 1..7 integer digits and six
     * decimals (the in-place parser's own price path), in both formats,
     * with each byte replaced by every other byte value in turn: whatever
     * tc__prices_line_plain accepts, tc__prices_row_plain (the field-wise
     * parsers) accepts with the same bar; the line as written is accepted
     * with its exact values */
    char line[128], buf[128 + 32];
    for (int yahoo = 0; yahoo < 2; yahoo++) {
        for (int k = 1; k <= 7; k++) {
            char ip[8];
            memset(ip, '5', (size_t)k);
            ip[k] = '\0';
            int n = snprintf(line, sizeof line,
                             yahoo ? "2020-01-02,%s.250000,%s.750000,%s.125000,%s.500000,%s.500000,"
                                     "1234"
                                   : "2020-01-02,%s.250000,%s.750000,%s.125000,%s.500000,1234,"
                                     "56%.0s",
                             ip, ip, ip, ip, ip);
            int64_t whole = 0;
            for (int i = 0; i < k; i++)
                whole = whole * 10 + 5;
            for (int at = -1; at < n; at++) {
                for (int c = 1; c < 256; c++) {
                    if (at < 0 && c > 1)
                        break;
                    memset(buf, 0, sizeof buf);
                    memcpy(buf, line, (size_t)n);
                    if (at >= 0) {
                        if ((unsigned char)line[at] == c)
                            continue;
                        buf[at] = (char)c;
                    }
                    struct tc__day_cache dc1 = {0}, dc2 = {0};
                    dc1.key = dc2.key = UINT64_MAX;
                    struct tc_bar a, b;
                    const char *next = NULL;
                    int fast = tc__prices_line_plain(buf, buf + n, yahoo, &dc1, &a, &next);
                    if (at < 0) {
                        assert_int_equal(fast, 0);
                        assert_ptr_equal(next, buf + n);
                        assert_int_equal(a.open.raw, whole * TC_DEC_ONE + 25000000);
                        assert_int_equal(a.high.raw, whole * TC_DEC_ONE + 75000000);
                        assert_int_equal(a.low.raw, whole * TC_DEC_ONE + 12500000);
                        assert_int_equal(a.close.raw, whole * TC_DEC_ONE + 50000000);
                        assert_int_equal(a.adj_close.raw, a.close.raw);
                        assert_int_equal(a.volume, 1234);
                        assert_int_equal(a.open_interest, yahoo ? 0 : 56);
                    }
                    if (fast != 0)
                        continue;
                    /* the line ends where the fast parser found it */
                    size_t len = (size_t)(next - buf);
                    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                        len--;
                    if (tc__prices_row_plain(buf, len, yahoo, &dc2, &b) != 0 ||
                        memcmp(&a, &b, sizeof a) != 0)
                        fail_msg("line \"%.*s\" (byte %d now 0x%02x): accepted in place, "
                                 "not so by the field parsers",
                                 n, buf, at, c);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_equals_general),
        cmocka_unit_test(test_forms_values),
        cmocka_unit_test(test_mutated_rows),
        cmocka_unit_test(test_big_file),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_lines_plain),
        cmocka_unit_test(test_ingest_progress_lines),
        cmocka_unit_test(test_mapped_sizes),
        cmocka_unit_test(test_pipe_read),
        cmocka_unit_test(test_map_pad),
        cmocka_unit_test(test_line_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
