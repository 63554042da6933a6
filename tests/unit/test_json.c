/* Unit tests of lib/json: parsing, typed accessors, writer escaping and pass-through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/json.h"
#include "lib/util.h"

static void
test_parse_and_access (void **state)
{
  const char *t = "{\"a\":1,\"b\":\"x\",\"c\":[true,null,-5],\"d\":{\"e\":18446744073709551615},\"a\":2}";
  char err[128];
  json_value *v = json_parse (t, strlen (t), err, sizeof err);
  int64_t i;
  uint64_t u;
  bool b;
  assert_non_null (v);
  assert_int_equal (json_get_int64 (json_get (v, "a"), &i), 0);
  assert_int_equal (i, 2); /* last duplicate wins */
  assert_string_equal (json_string (json_get (v, "b")), "x");
  assert_null (json_string (json_get (v, "a")));
  assert_int_equal (json_len (json_get (v, "c")), 3);
  assert_int_equal (json_get_bool (json_at (json_get (v, "c"), 0), &b), 0);
  assert_true (b);
  assert_true (json_is_null (json_at (json_get (v, "c"), 1)));
  assert_int_equal (json_get_uint64 (json_at (json_get (v, "c"), 2), &u), -1); /* negative */
  assert_int_equal (json_get_uint64 (json_get (json_get (v, "d"), "e"), &u), 0);
  assert_true (u == UINT64_MAX);
  assert_null (json_get (v, "missing"));
  assert_null (json_at (v, 0));
  json_free (v);
}

static void
test_parse_errors (void **state)
{
  char err[128];
  assert_null (json_parse ("{\"a\":", 5, err, sizeof err));
  assert_non_null (strstr (err, "parse error"));
  assert_null (json_parse ("{\"a\":1}\0x", 9, err, sizeof err));
  assert_null (json_parse_file ("/nonexistent/x.json", err, sizeof err));
  assert_non_null (strstr (err, "No such file"));
}

static void
test_fraction_is_not_integer (void **state)
{
  json_value *v = json_parse ("[1.5, 1e3, 7]", 13, NULL, 0);
  int64_t i;
  assert_int_equal (json_get_int64 (json_at (v, 0), &i), -1);
  assert_int_equal (json_get_int64 (json_at (v, 1), &i), -1);
  assert_int_equal (json_get_int64 (json_at (v, 2), &i), 0);
  json_free (v);
}

static void
test_writer (void **state)
{
  json_writer *w = json_writer_new (false);
  json_value *sub = json_parse ("{\"k\":[1,\"two\",{\"z\":null}]}", 26, NULL, 0);
  char *out;
  json_w_obj_open (w);
  json_w_kstr (w, "s", "quote\" back\\ nl\n");
  json_w_kuint (w, "u", UINT64_MAX);
  json_w_kint (w, "i", -3);
  json_w_key (w, "sub");
  json_w_value (w, sub);
  json_w_kstr (w, "bad", "\xff\xfe");
  json_w_obj_close (w);
  out = json_writer_steal (w, NULL);
  assert_string_equal (out, "{\"s\":\"quote\\\" back\\\\ nl\\n\",\"u\":18446744073709551615,\"i\":-3,"
                            "\"sub\":{\"k\":[1,\"two\",{\"z\":null}]},\"bad\":\"??\"}");
  free (out);
  json_free (sub);
  out = json_quote ("a\tb");
  assert_string_equal (out, "\"a\\tb\"");
  free (out);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse_and_access),
    cmocka_unit_test (test_parse_errors),
    cmocka_unit_test (test_fraction_is_not_integer),
    cmocka_unit_test (test_writer),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
