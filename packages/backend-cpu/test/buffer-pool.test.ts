import { describe, expect, it } from "vitest";
import { cpuDevice, cpuKernels } from "../src/index.js";

describe("the CPU device's buffer reuse", () => {
  const device = () => cpuDevice({ kernels: cpuKernels, fuse: false });

  it("a released buffer comes back, zero-filled, for the next alloc of the same dtype and size", () => {
    const d = device();
    const a = d.alloc([2, 3], "float32");
    a.data.fill(7);
    d.release(a);
    const b = d.alloc([3, 2], "float32");
    expect(b.data).toBe(a.data);
    expect([...b.data]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(d.alloc([6], "float64").data).not.toBe(a.data);
  });

  it("never reuses memory handed to the caller by read, a view, an upload, or a buffer released twice", () => {
    const d = device();
    const read = d.alloc([4], "float64");
    const data = d.read(read) as Float64Array;
    d.release(read);
    expect(d.alloc([4], "float64").data).not.toBe(data);

    const whole = d.alloc([8], "float64");
    d.release(d.view(whole, 4, [4]));
    expect(d.alloc([4], "float64").data.buffer).not.toBe(whole.data.buffer);

    const mine = { shape: [4], data: new Float64Array(4) };
    d.release(d.upload(mine));
    expect(d.alloc([4], "float64").data).not.toBe(mine.data);

    const twice = d.alloc([5], "float32");
    d.release(twice);
    d.release(twice);
    const first = d.alloc([5], "float32");
    const second = d.alloc([5], "float32");
    expect(first.data).toBe(twice.data);
    expect(second.data).not.toBe(twice.data);
  });
});
