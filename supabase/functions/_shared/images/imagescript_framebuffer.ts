/**
 * imagescript's pure-JavaScript framebuffer (v2), imported by its own path: the package entry point loads a
 * native JPEG add-on at import time, which the edge runtime (and `--deny-ffi`) refuses. This submodule and
 * what it imports (ops, the JS PNG codec) contain no native or WASM code.
 *
 * The package's typings describe this ES module as CommonJS, so the class's type sits one `default` deeper
 * than the class itself does at run time; the cast below lines the two up.
 */
import * as framebufferModule from "imagescript/v2/framebuffer.mjs";

type FramebufferClass = typeof framebufferModule.default.default;

export const Framebuffer = framebufferModule.default as unknown as FramebufferClass;
export type Framebuffer = InstanceType<FramebufferClass>;
