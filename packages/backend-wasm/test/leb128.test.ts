import { describe, expect, it } from "vitest";
import { signedLeb, unsignedLeb } from "../src/elementwise/leb128.js";

describe("LEB128", () => {
  it("unsigned: 7 bits a byte, low first", () => {
    expect(unsignedLeb(0)).toEqual([0]);
    expect(unsignedLeb(127)).toEqual([0x7f]);
    expect(unsignedLeb(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => unsignedLeb(-1)).toThrow(RangeError);
  });

  it("signed: the sign in bit 6 of the last byte; u32 bit patterns as i32", () => {
    expect(signedLeb(0)).toEqual([0]);
    expect(signedLeb(63)).toEqual([0x3f]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(-64)).toEqual([0x40]);
    expect(signedLeb(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb(0x80000000)).toEqual(signedLeb(-0x80000000));
    expect(() => signedLeb(2 ** 32)).toThrow(RangeError);
  });
});
