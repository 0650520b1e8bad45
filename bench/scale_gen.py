#!/usr/bin/env python3
"""bench/scale_gen.py DIR FUNCTIONS UNITS...: writes the C programs bench/scale links.

DIR/u0.c, u1.c, ... (as many as the largest UNITS) each define FUNCTIONS
functions and a few global arrays; every function reads its own unit's data and
an earlier unit's, and while its depth argument is above zero calls two
functions of earlier units, one of them anywhere below it. Unit 0's functions
call nothing. A unit depends only on the units before it, so the program of K
units is u0.c ... u{K-1}.c whatever the largest K: its objects serve every size.

For each K in UNITS, DIR/main-K.c calls the first function of units 0 to K-1
with depth 2, prints the sum and returns it modulo 100. What it prints is
computed here too (all arithmetic on 32-bit unsigned values, as in the C) and
written to DIR/expected-K.out; the status is printed, one "K STATUS" a line.
"""

import sys

DEPTH = 2
DATA = 8  # global arrays per unit
DATA_LEN = 8
MASK = 0xFFFFFFFF


def callees(u, f):
    """The two functions (unit, function) that u's function f calls: of earlier
    units, the first among the 16 just before u, the second anywhere below it."""
    if u == 0:
        return []
    return [(u - 1 - (f * 7 + 3) % min(u, 16), (f * 7 + 3) % FUNCTIONS),
            ((u * 31 + f * 17 + 5) % u, (f * 13 + u + 1) % FUNCTIONS)]


def foreign_data(u, f):
    """The array of another unit (an earlier one; unit 0's own) that u's f reads."""
    return ((u * 17 + f * 5 + 3) % u if u else 0), f % DATA


def data_value(u, j, k):
    return (u * 1009 + j * 101 + k * 7 + 1) & MASK


def unit_source(u):
    decls = set()
    for f in range(FUNCTIONS):
        for v, g in callees(u, f):
            decls.add(f"extern unsigned u{v}_f{g}(unsigned);")
        v, j = foreign_data(u, f)
        if v != u:
            decls.add(f"extern unsigned u{v}_d{j}[{DATA_LEN}];")
    lines = sorted(decls)
    for j in range(DATA):
        values = ", ".join(f"{data_value(u, j, k)}u" for k in range(DATA_LEN))
        lines.append(f"unsigned u{u}_d{j}[{DATA_LEN}] = {{{values}}};")
    mask = DATA_LEN - 1
    for f in range(FUNCTIONS):
        v, j = foreign_data(u, f)
        lines += [f"unsigned u{u}_f{f}(unsigned d) {{",
                  f"  unsigned s = u{u}_d{f % DATA}[d & {mask}] + u{v}_d{j}[(d + {f}u) & {mask}];"]
        calls = callees(u, f)
        if calls:
            (a, fa), (b, fb) = calls
            lines += ["  if (d) {",
                      f"    s += u{a}_f{fa}(d - 1);",
                      f"    s ^= u{b}_f{fb}(d - 1);",
                      "  }"]
        lines += [f"  return s * 3u + {u + f}u;", "}"]
    return "\n".join(lines) + "\n"


memo = {}


def call(u, f, d):
    """What u's function f returns for depth d, as the C computes it."""
    key = (u, f, d)
    if key not in memo:
        v, j = foreign_data(u, f)
        s = (data_value(u, f % DATA, d & (DATA_LEN - 1)) +
             data_value(v, j, (d + f) & (DATA_LEN - 1))) & MASK
        calls = callees(u, f)
        if d and calls:
            (a, fa), (b, fb) = calls
            s = (s + call(a, fa, d - 1)) & MASK
            s ^= call(b, fb, d - 1)
        memo[key] = (s * 3 + u + f) & MASK
    return memo[key]


def main():
    global FUNCTIONS
    if len(sys.argv) < 4:
        sys.exit("usage: scale_gen.py DIR FUNCTIONS UNITS...")
    out, FUNCTIONS = sys.argv[1], int(sys.argv[2])
    sizes = [int(a) for a in sys.argv[3:]]
    if FUNCTIONS < 1 or min(sizes) < 1:
        sys.exit("scale_gen.py: FUNCTIONS and every UNITS must be at least 1")

    for u in range(max(sizes)):
        with open(f"{out}/u{u}.c", "w") as file:
            file.write(unit_source(u))

    for k in sizes:
        with open(f"{out}/main-{k}.c", "w") as file:
            file.write("#include <stdio.h>\n")
            file.write("".join(f"extern unsigned u{u}_f0(unsigned);\n" for u in range(k)))
            file.write("int main(void) {\n  unsigned sum = 0;\n")
            file.write("".join(f"  sum += u{u}_f0({DEPTH});\n" for u in range(k)))
            file.write('  printf("sum %u\\n", sum);\n  return (int)(sum % 100);\n}\n')
        total = 0
        for u in range(k):
            total = (total + call(u, 0, DEPTH)) & MASK
        with open(f"{out}/expected-{k}.out", "w") as file:
            file.write(f"sum {total}\n")
        print(k, total % 100)


if __name__ == "__main__":
    main()
