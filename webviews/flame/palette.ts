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

function fnv1a(text: string): number {
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

/** Whether a colour in computed rgb() form is dark. */
function isDarkColour(colour: string): boolean {
  const match = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  if (!match) return false;
  const [r, g, b] = [match[1], match[2], match[3]].map(Number);
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
