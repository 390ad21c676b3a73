/* Growing arrays (core/grow.h): nothing while there is room, the first
 * capacity, doubling, a jump past twice the capacity, and sizes that
 * overflow refused with the array unchanged. */
#include <stdint.h>
#include <stdlib.h>

#include "tc_test.h"
#include "core/grow.h"

static void test_grows(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;

    assert_int_equal(tc__grow((void **)&a, &cap, 0, sizeof(*a), 4), 0);
    assert_non_null(a);
    assert_int_equal(cap, 4);
    for (int i = 0; i < 4; i++)
        a[i] = i;
    int *before = a;
    assert_int_equal(tc__grow((void **)&a, &cap, 3, sizeof(*a), 4), 0); /* room: nothing */
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 4);
    assert_int_equal(tc__grow((void **)&a, &cap, 4, sizeof(*a), 4), 0);
    assert_int_equal(cap, 8);
    for (int i = 0; i < 4; i++)
        assert_int_equal(a[i], i); /* kept */
    assert_int_equal(tc__grow((void **)&a, &cap, 100, sizeof(*a), 4), 0);
    assert_int_equal(cap, 128); /* doubled until element 100 fits */
    a[100] = 7;
    free(a);

    /* FIRST 0: from one element */
    a = NULL;
    cap = 0;
    assert_int_equal(tc__grow((void **)&a, &cap, 0, sizeof(*a), 0), 0);
    assert_int_equal(cap, 1);
    free(a);
}

static void test_overflow_refused(void **state)
{
    (void)state;
    char *a = NULL;
    size_t cap = 0;

    assert_int_equal(tc__grow((void **)&a, &cap, 0, 1, 16), 0);
    /* an element count whose doubling overflows */
    assert_int_equal(tc__grow((void **)&a, &cap, SIZE_MAX - 1, 1, 16), TC_ENOMEM);
    assert_int_equal(cap, 16);
    assert_non_null(a);
    /* a byte size that overflows */
    assert_int_equal(tc__grow((void **)&a, &cap, 16, SIZE_MAX / 8, 16), TC_ENOMEM);
    assert_int_equal(cap, 16);
    a[15] = 'x'; /* still the old array */
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
