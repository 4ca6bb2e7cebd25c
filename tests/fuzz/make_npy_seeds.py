#!/usr/bin/env python3
"""Seed .npy files for fuzz_npy from small complex128 files written by `mesaflow train --save-data`:
each input is copied, and also written as complex64 ('<c8') and with a version 2.0 header.
The seeds have no .npy suffix (the repository ignores *.npy; libFuzzer reads any file).
usage: make_npy_seeds.py OUT_DIR IN.npy...
e.g. mesaflow train --m 2 --d 1 --T 3 --epochs 0 --test-m 1 --mesa-seqs 0 --quiet --save-data m2_d1_T3.npy"""
import os
import struct
import sys


def split(b):
    hlen = struct.unpack('<H', b[8:10])[0]
    return b[10:10 + hlen].decode('latin1'), b[10 + hlen:]


def pack(header, data, major=1):
    body = header.rstrip(' \n')
    prefix = 10 if major == 1 else 12
    body += ' ' * ((64 - (prefix + len(body) + 1) % 64) % 64) + '\n'
    size = struct.pack('<H', len(body)) if major == 1 else struct.pack('<I', len(body))
    return b'\x93NUMPY' + bytes([major, 0]) + size + body.encode('latin1') + data


out = sys.argv[1]
for path in sys.argv[2:]:
    name = os.path.splitext(os.path.basename(path))[0]
    header, data = split(open(path, 'rb').read())
    doubles = struct.unpack('<%dd' % (len(data) // 8), data)
    c8 = struct.pack('<%df' % len(doubles), *doubles)
    files = {
        name + '_c16': pack(header, data),
        name + '_c8': pack(header.replace("'<c16'", "'<c8'"), c8),
        name + '_c16_v2': pack(header, data, major=2),
    }
    for fname, b in files.items():
        open(os.path.join(out, fname), 'wb').write(b)
