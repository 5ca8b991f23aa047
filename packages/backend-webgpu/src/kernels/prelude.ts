/** Words of kernel parameters each dispatch gets: one 256-byte uniform slot. */
export const META_WORDS = 64;

/** Highest rank a strided kernel addresses (shapes are collapsed first, see `collapse`). */
export const MAX_RANK = 6;

/** Threads per workgroup of the one-dimensional kernels. */
export const WORKGROUP = 64;

/**
 * What every kernel starts with: the one storage buffer that holds every
 * tensor (`data`, addressed by element offsets), its parameters as a uniform
 * slot (`meta`, read with `m(i)` as u32 and `mf(i)` as f32), and the error
 * words at the start of `data` that a kernel sets on a bad id (see `reportError`).
 */
export const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@group(0) @binding(1) var<uniform> params: array<vec4<u32>, ${META_WORDS / 4}>;
fn m(i: u32) -> u32 { return params[i >> 2u][i & 3u]; }
fn mf(i: u32) -> f32 { return bitcast<f32>(m(i)); }
fn is_nan(x: f32) -> bool { return !(x == x); }
// a float from its bits at run time: WGSL refuses infinities and NaN in constant expressions
fn from_bits(bits: u32) -> f32 { return bitcast<f32>(bits | (m(0u) & 0u)); }
// an id that is not an integer in [0, bound): the first word holds the kernel's code, the others what was wrong
fn report_error(code: f32, row: u32, id: f32, bound: u32) {
  data[0] = code; data[1] = f32(row); data[2] = id; data[3] = f32(bound);
}
fn valid_id(id: f32, bound: u32) -> bool { return id >= 0.0 && id < f32(bound) && floor(id) == id; }
// element offset of flat index i in a strided operand: dims at meta[dims..], strides at meta[strides..]
fn strided(i: u32, rank: u32, dims: u32, base: u32, strides: u32) -> u32 {
  var rest = i;
  var at = base;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let n = m(dims + u32(d));
    at += (rest % n) * m(strides + u32(d));
    rest /= n;
  }
  return at;
}
`;

/** The entry point of a one-dimensional kernel over `m(0)` elements: `body` sees the flat index `i`. */
export function linearKernel(body: string, extra = ""): string {
  return `${PRELUDE}
${extra}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= m(0u)) { return; }
${body}
}`;
}

/** Error codes of the kernels that check ids, and the op each one names. */
export const ERROR_CODES = { gather: 1, oneHot: 2, softmaxCrossEntropy: 3 } as const;
