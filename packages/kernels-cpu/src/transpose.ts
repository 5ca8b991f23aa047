import type { Kernel } from "./kernel.js";

/** Axis i of the output is axis `perm[i]` of the input: walks the output in order, gathering by strides. */
export const transpose: Kernel<"transpose"> = (node, [x], out) => {
  const { perm } = node.attrs;
  const rank = perm.length;
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= x.shape[i];
  }
  // the input stride of each output axis
  const strides = perm.map((p) => inStrides[p]);
  const dims = out.shape;
  const index = new Array<number>(rank).fill(0);
  const src = x.data;
  const o = out.data;
  let from = 0;
  for (let k = 0; k < o.length; k++) {
    o[k] = src[from];
    // advance the output index like an odometer, keeping the input offset in step
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < dims[a]) {
        from += strides[a];
        break;
      }
      from -= strides[a] * (dims[a] - 1);
      index[a] = 0;
    }
  }
};
