/// <reference types="@webgpu/types" />
import { opKinds } from "@unroll/ir";
import { deviceBackend, type Backend, type BackendCapabilities, type LoadedProgram } from "@unroll/bptt";
import { webGpuDevice, type WebGpuDevice } from "./gpu-device.js";

/** Which GPU a {@link WebGpuBackend} runs on, as the browser describes its adapter. */
export interface WebGpuAdapterInfo {
  /** e.g. `"google"`, `"nvidia"`; may be empty. */
  readonly vendor: string;
  /** e.g. `"swiftshader"`, `"ampere"`; may be empty. */
  readonly architecture: string;
  /** The device, when the browser says. */
  readonly device: string;
  /** A longer description, when the browser says. */
  readonly description: string;
  /** True for a fallback (software) adapter: its times say nothing about GPUs. */
  readonly isFallbackAdapter: boolean;
}

/** Options of {@link createWebGpuBackend}. */
export interface WebGpuBackendOptions {
  /** The WebGPU entry point (default `navigator.gpu`). */
  readonly gpu?: GPU;
  /** Which adapter to ask for. */
  readonly powerPreference?: GPUPowerPreference;
}

/** The WebGPU backend: a {@link Backend} that also tells which adapter it runs on. */
export interface WebGpuBackend extends Backend {
  /** The adapter, once the device is open (it opens on the first `load`, or here). */
  adapter(): Promise<WebGpuAdapterInfo>;
}

/** What the WebGPU backend computes: every op, in float32 only (WGSL has no float64). */
export const webGpuCapabilities: BackendCapabilities = { dtypes: ["float32"], ops: opKinds };

/** `navigator.gpu` where there is one (a browser with WebGPU), else undefined. */
export function navigatorGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

interface Opened {
  readonly gpu: GPUDevice;
  readonly device: WebGpuDevice;
  readonly backend: Backend;
  readonly info: WebGpuAdapterInfo;
}

/**
 * The WebGPU backend: the {@link webGpuDevice} under the shared executor.
 * It asks for an adapter and opens a device on first use, with the adapter's
 * largest buffer limits; a lost device fails the call that finds it and is
 * opened anew by the next. Throws on first use where WebGPU is missing.
 *
 * ```ts
 * const backend = createWebGpuBackend();
 * const loaded = await backend.load(program, { dtype: "float32" });
 * ```
 */
export function createWebGpuBackend(options: WebGpuBackendOptions = {}): WebGpuBackend {
  let opened: Promise<Opened> | undefined;
  let disposed = false;
  const open = (): Promise<Opened> => {
    if (disposed) return Promise.reject(new Error("the webgpu backend has been disposed"));
    opened ??= (async () => {
      const gpu = options.gpu ?? navigatorGpu();
      if (!gpu) throw new Error("WebGPU is not available here (no navigator.gpu): use a browser with WebGPU, served from https or localhost");
      const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : {});
      if (!adapter) throw new Error("WebGPU found no adapter (navigator.gpu.requestAdapter() returned null)");
      const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
      const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
      const info = adapter.info;
      const gpuDevice = webGpuDevice(device);
      const result: Opened = {
        gpu: device,
        device: gpuDevice,
        backend: deviceBackend(gpuDevice),
        info: {
          vendor: info.vendor,
          architecture: info.architecture,
          device: info.device,
          description: info.description,
          isFallbackAdapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
        },
      };
      // a lost device (driver reset, device.destroy()) is opened anew by the next call
      void device.lost.then(() => {
        if (!disposed) opened = undefined;
      });
      return result;
    })();
    opened.catch(() => (opened = undefined));
    return opened;
  };
  return {
    name: "webgpu",
    capabilities: webGpuCapabilities,
    async adapter() {
      return (await open()).info;
    },
    async load(program, loadOptions): Promise<LoadedProgram> {
      const { backend } = await open();
      return backend.load(program, loadOptions);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const o = await opened?.catch(() => undefined);
      if (o) {
        await o.backend.dispose();
        o.device.destroy();
        o.gpu.destroy();
      }
    },
  };
}
