#!/usr/bin/env python3
"""lib/c_api_def.py HEADER OUT.def: the module-definition file of the Windows
DLL (rtlink-1.dll): every function include/rtlink/rtlink.h declares, and
nothing else, as librtlink.map does for librtlink.so."""
import re
import sys

header, out = sys.argv[1], sys.argv[2]
names = []
for m in re.finditer(r'\b(rtl_[a-z0-9_]+)\s*\(', open(header).read()):
    if m.group(1) not in names:
        names.append(m.group(1))
with open(out, 'w') as f:
    f.write('EXPORTS\n' + ''.join(f'  {n}\n' for n in names))
