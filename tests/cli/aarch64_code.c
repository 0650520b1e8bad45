/* aarch64 functions for tests/cli/aarch64_executor.py, compiled at test time
 * by aarch64-linux-gnu-gcc: leaf functions without relocations, whose bytes
 * the test writes into the executor's memory and calls as AAPCS64 says. */
long add2(long a, long b) { return a + b; }

/* Integers and doubles interleaved: each class has registers of its own. */
long mixed(long a, double x, long b, double y) { return a * 1000 + (long)(x * y) + b; }

/* All of x0-x7 and d0-d7, each in its place. */
long sixteen(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
             double d0, double d1, double d2, double d3, double d4, double d5, double d6,
             double d7) {
  long r = ((((((a0 * 7 + a1) * 7 + a2) * 7 + a3) * 7 + a4) * 7 + a5) * 7 + a6) * 7 + a7;
  double f = ((((((d0 * 3 + d1) * 3 + d2) * 3 + d3) * 3 + d4) * 3 + d5) * 3 + d6) * 3 + d7;
  return r * 100000 + (long)f;
}

/* A string: a pointer to the executor's copy of its bytes. */
long sum_bytes(const char *s) {
  long n = 0;
  while (*s)
    n = n * 31 + *s++;
  return n;
}
