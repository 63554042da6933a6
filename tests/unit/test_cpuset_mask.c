/* Unit tests of runtime/cpuset_mask: CPU/node list parsing and dynamic mask sizing (> 1,024 CPUs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "runtime/cpuset_mask.h"

static void
test_simple_list (void **state)
{
  struct cpu_mask m;
  cnf_err err = NULL;
  char *s;
  (void) state;
  assert_int_equal (cpu_mask_parse ("0-3,7", "t", &m, &err), 0);
  assert_int_equal (cpu_mask_count (&m), 5);
  assert_true (cpu_mask_test (&m, 0));
  assert_true (cpu_mask_test (&m, 3));
  assert_false (cpu_mask_test (&m, 4));
  assert_true (cpu_mask_test (&m, 7));
  assert_false (cpu_mask_test (&m, 8));
  assert_false (cpu_mask_test (&m, 100000));
  assert_int_equal (m.nbits, 8);
  assert_int_equal (cpu_mask_bytes (&m), sizeof (unsigned long));
  s = cpu_mask_format (&m);
  assert_string_equal (s, "0-3,7");
  free (s);
  cpu_mask_free (&m);
}

static void
test_big_masks (void **state)
{
  struct cpu_mask m;
  cnf_err err = NULL;
  char *s;
  (void) state;
  /* 2048 CPUs: twice glibc's fixed cpu_set_t. */
  assert_int_equal (cpu_mask_parse ("0-2047", "t", &m, &err), 0);
  assert_int_equal (cpu_mask_count (&m), 2048);
  assert_int_equal (m.nbits, 2048);
  assert_int_equal (cpu_mask_bytes (&m), 2048 / 8);
  assert_true (cpu_mask_test (&m, 2047));
  assert_false (cpu_mask_test (&m, 2048));
  s = cpu_mask_format (&m);
  assert_string_equal (s, "0-2047");
  free (s);
  cpu_mask_free (&m);
  /* A lone high CPU sizes the mask from the highest bit. */
  assert_int_equal (cpu_mask_parse ("1500", "t", &m, &err), 0);
  assert_int_equal (cpu_mask_count (&m), 1);
  assert_true (cpu_mask_bytes (&m) >= 1501 / 8 + 1);
  assert_int_equal (cpu_mask_bytes (&m) % sizeof (unsigned long), 0);
  assert_true (cpu_mask_test (&m, 1500));
  cpu_mask_free (&m);
  assert_int_equal (cpu_mask_parse ("4095,1", "t", &m, &err), 0);
  assert_int_equal (cpu_mask_bytes (&m), 4096 / 8);
  s = cpu_mask_format (&m);
  assert_string_equal (s, "1,4095");
  free (s);
  cpu_mask_free (&m);
}

static void
test_strides_and_blanks (void **state)
{
  struct cpu_mask m;
  cnf_err err = NULL;
  char *s;
  (void) state;
  assert_int_equal (cpu_mask_parse (" 0-15:4 , 17 ", "t", &m, &err), 0);
  s = cpu_mask_format (&m);
  assert_string_equal (s, "0,4,8,12,17");
  free (s);
  cpu_mask_free (&m);
  assert_int_equal (cpu_mask_parse ("", "t", &m, &err), 0);
  assert_int_equal (cpu_mask_count (&m), 0);
  assert_int_equal (cpu_mask_bytes (&m), 0);
  cpu_mask_free (&m);
}

static void
expect_bad (const char *list, const char *needle)
{
  struct cpu_mask m = { NULL, 0, 0 };
  cnf_err err = NULL;
  assert_int_equal (cpu_mask_parse (list, ".process.execCPUAffinity.final", &m, &err), -1);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, ".process.execCPUAffinity.final"));
  if (needle && strstr (err->msg, needle) == NULL)
    fail_msg ("\"%s\": message \"%s\" lacks \"%s\"", list, err->msg, needle);
  assert_null (m.bits);
  cnf_err_free (&err);
}

static void
test_errors (void **state)
{
  (void) state;
  expect_bad ("3-1", "end before start");
  expect_bad ("a", "invalid list");
  expect_bad ("1,", "invalid list");
  expect_bad ("1-", "invalid list");
  expect_bad ("-1", "invalid list");
  expect_bad ("1;2", "invalid list");
  expect_bad ("0-7:0", "invalid list");
  expect_bad ("0-99999999", "beyond the limit");
  expect_bad ("99999999999999999999999", "beyond the limit");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_simple_list),
    cmocka_unit_test (test_big_masks),
    cmocka_unit_test (test_strides_and_blanks),
    cmocka_unit_test (test_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
