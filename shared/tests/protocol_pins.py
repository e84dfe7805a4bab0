#!/usr/bin/env python3
"""Computes the pinned protocol frames of shared/tests/protocol_messages.rs and docs/protocol.md
without the Rust code: postcard bodies written by hand, zlib CRC-32, a reference COBS encoder.
Run: python3 shared/tests/protocol_pins.py"""
import zlib
def varint(n):
    out=[]
    while True:
        b=n&0x7F; n>>=7
        if n: out.append(b|0x80)
        else: out.append(b); return out
def cobs(data):
    out=[0]; code_i=0; code=1
    for b in data:
        if b==0:
            out[code_i]=code; code_i=len(out); out.append(0); code=1
        else:
            out.append(b); code+=1
            if code==0xFF:
                out[code_i]=code; code_i=len(out); out.append(0); code=1
    out[code_i]=code
    return out
def frame(body):
    crc=zlib.crc32(bytes(body)).to_bytes(4,'little')
    return cobs(list(body)+list(crc))+[0]
bodies={
 'HELLO':[0x00]+varint(2),
 'INFO':[0x01],
 'FLASH_BEGIN':[0x02]+varint(4096)+list(range(0x01,0x11)),  # model_id: 16 raw bytes 01..10
 'INFER':[0x07,0x02]+list(b'ok'),
 'ACK':[0x02],
 'ERROR':[0x09,0x01,0x00],
 'PREDICTION':[0x06,0x01,0x02,0xFB,0x07]+varint(1000),
}
for k,b in bodies.items():
    f=frame(b)
    print(f"const PINNED_{k}: [u8; {len(f)}] = [{', '.join('0x%02X'%x for x in f)}];")
    print("// body", ' '.join('%02X'%x for x in b), "frame", ' '.join('%02X'%x for x in f))
