// Colours for the flame graph. Frames get a warm hue chosen by hashing their
// package, so one package reads as one colour band across the graph, and a
// lightness nudged by the function name so neighbours stay distinguishable.
// Everything else comes from the page's CSS custom properties, which VS Code
// fills from the active theme and the stylesheet backs with defaults.

import type { FunctionInfo } from '../../src/core/pprof/index';

export interface Theme {
  background: string;
  ancestorFill: string;
  ancestorText: string;
  frameText: string;
  hoverOutline: string;
  fontFamily: string;
  fontSize: number;
  dark: boolean;
}

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The package part of a Go symbol: "example.com/m/pkg.(*T).Method" -> "example.com/m/pkg".
 * The import path may contain dots, so the split happens after the last slash.
 */
export function packageOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? name : name.slice(0, dot);
}

/** The name without its import path, as pprof's flame graph labels frames: "pkg.(*T).Method". */
export function shortName(name: string): string {
  const slash = name.lastIndexOf('/');
  // A slash inside a closure or generic suffix ("pkg.F[...a/b.T]") is not the import path.
  const bracket = name.indexOf('[');
  if (slash < 0 || (bracket >= 0 && slash > bracket)) return name;
  return name.slice(slash + 1);
}

export interface FrameColours {
  normal: string[];
  inlined: string[];
}

/** One fill per function, in the index order of `functions`, for ordinary and inlined frames. */
export function frameColours(functions: FunctionInfo[], dark: boolean): FrameColours {
  const normal = new Array<string>(functions.length);
  const inlined = new Array<string>(functions.length);
  const packageHue = new Map<string, number>();
  for (let i = 0; i < functions.length; i++) {
    const name = functions[i].name;
    const pkg = packageOf(name);
    let hue = packageHue.get(pkg);
    if (hue === undefined) {
      // 0..48 degrees: red through orange to amber, the classic CPU flame palette.
      hue = fnv1a(pkg) % 49;
      packageHue.set(pkg, hue);
    }
    const nameHash = fnv1a(name);
    const saturation = 72 + (nameHash % 17);
    const lightness = (dark ? 50 : 58) + ((nameHash >>> 8) % 12);
    normal[i] = `hsl(${hue} ${saturation}% ${lightness}%)`;
    // Inlined frames keep the hue of their package but wash out towards pale,
    // so "this call did not really happen" is visible at a glance.
    inlined[i] = `hsl(${hue} ${saturation - 30}% ${lightness + (dark ? 14 : 18)}%)`;
  }
  return { normal, inlined };
}

/** Whether a computed colour is dark (an unreadable one counts as mid-grey, not dark). */
function isDarkColour(colour: string): boolean {
  const [r, g, b] = rgbOf(colour);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

let probe: HTMLSpanElement | undefined;

/**
 * Resolves a CSS colour expression (var() chains, color-mix()) to the
 * rgb() string the browser computes, which any canvas accepts.
 */
function resolveColour(expression: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.hidden = true;
    document.body.append(probe);
  }
  probe.style.color = '';
  probe.style.color = expression;
  return getComputedStyle(probe).color;
}

export function readTheme(): Theme {
  const bodyStyle = getComputedStyle(document.body);
  const background = resolveColour('var(--gp-background)');
  return {
    background,
    ancestorFill: resolveColour('var(--gp-ancestor-fill)'),
    ancestorText: resolveColour('var(--gp-foreground)'),
    frameText: resolveColour('var(--gp-frame-text)'),
    hoverOutline: resolveColour('var(--gp-hover-outline)'),
    fontFamily: bodyStyle.fontFamily || 'sans-serif',
    fontSize: Math.max(11, Math.min(14, parseFloat(bodyStyle.fontSize) || 12)),
    dark: isDarkColour(background),
  };
}

/** Shades per side of a differential flame graph (plus one neutral shade). */
export const diffShades = 6;

/**
 * Fills for a differential flame graph, index 0..2*diffShades: 0 is the
 * strongest improvement (green), diffShades is unchanged, 2*diffShades the
 * strongest regression (red). The theme's chart colours mixed into its
 * neutral frame colour, so both ends read in light and dark themes.
 */
export function diffColours(): string[] {
  const better = rgbOf(resolveColour('var(--gp-diff-better)'));
  const worse = rgbOf(resolveColour('var(--gp-diff-worse)'));
  const neutral = rgbOf(resolveColour('var(--gp-diff-neutral)'));
  const out: string[] = [];
  for (let i = 0; i <= 2 * diffShades; i++) {
    const step = i - diffShades;
    const colour = step < 0 ? better : worse;
    const share = (Math.abs(step) / diffShades) * 0.85;
    // Plain rgb(), which every SVG viewer reads too (computed color-mix() comes back as color(srgb …)).
    const mixed = colour.map((c, k) => Math.round(c * share + neutral[k] * (1 - share)));
    out.push(`rgb(${mixed.join(', ')})`);
  }
  return out;
}

/** The 0..255 channels of a computed colour: rgb()/rgba() or color(srgb r g b) with 0..1 channels. */
function rgbOf(colour: string): [number, number, number] {
  const rgb = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const srgb = /color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(colour);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255];
  return [128, 128, 128];
}

/** The shade index of a frame whose value changed by `delta` out of `magnitude` (see diffColours). */
export function diffShade(delta: number, magnitude: number): number {
  if (magnitude <= 0 || delta === 0) return diffShades;
  const ratio = Math.max(-1, Math.min(1, delta / magnitude));
  // Any change at all gets at least the first shade, so it never reads as unchanged.
  const step = Math.max(1, Math.round(Math.abs(ratio) * diffShades));
  return diffShades + Math.sign(ratio) * step;
}
