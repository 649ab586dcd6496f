// The names the go command knows (internal/syslist) and the rules deciding
// which build tags are true for a build target (go/build Context.matchTag).

export const KNOWN_OS: ReadonlySet<string> = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos',
]);

/** GOOS values for which the `unix` tag is true. `unix` is never a file-name suffix. */
export const UNIX_OS: ReadonlySet<string> = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'linux', 'netbsd', 'openbsd', 'solaris',
]);

export const KNOWN_ARCH: ReadonlySet<string> = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

/** A GOOS that also satisfies another OS's tag and file-name suffix. */
export const IMPLIED_OS: Readonly<Record<string, string>> = { android: 'linux', illumos: 'solaris', ios: 'darwin' };

/** The environment variable selecting the architecture level behind `<goarch>.<level>` tool tags. */
export const ARCH_LEVEL_VARIABLE: Readonly<Record<string, string>> = {
  '386': 'GO386', amd64: 'GOAMD64', arm: 'GOARM', arm64: 'GOARM64', mips: 'GOMIPS', mipsle: 'GOMIPS',
  mips64: 'GOMIPS64', mips64le: 'GOMIPS64', ppc64: 'GOPPC64', ppc64le: 'GOPPC64', riscv64: 'GORISCV64', wasm: 'GOWASM',
};

export interface BuildTarget {
  readonly goos: string;
  readonly goarch: string;
  readonly cgoEnabled: boolean;
  /** "gc" or "gccgo". */
  readonly compiler: string;
  /** Tags given with -tags (or GOFLAGS). */
  readonly buildTags: readonly string[];
  /** Tags the toolchain sets: architecture levels (amd64.v1, arm.7, …) and goexperiment.* names. */
  readonly toolTags: readonly string[];
  /** The toolchain's Go 1.x minor version; release tags go1.1 … go1.<goVersion> are true. */
  readonly goVersion: number;
}

export function targetName(t: BuildTarget): string {
  return `${t.goos}/${t.goarch}`;
}

const RELEASE_TAG = /^go1\.([1-9][0-9]*)$/;

/** The minor version of a release tag (`go1.21` → 21), or undefined for any other tag. */
export function releaseTagMinor(tag: string): number | undefined {
  const m = RELEASE_TAG.exec(tag);
  return m ? Number(m[1]) : undefined;
}

export interface TagTruth {
  readonly value: boolean;
  /** Why, in words a user recognises: "GOOS is linux", "cgo is disabled", "not set with -tags". */
  readonly because: string;
}

/**
 * Whether a tag is satisfied by the target, in the order go/build checks
 * (cgo, GOOS, GOARCH, compiler, implied OS, unix, then the tag lists), and why.
 */
export function tagTruth(target: BuildTarget, name: string): TagTruth {
  const { goos, goarch } = target;
  if (name === 'cgo' && target.cgoEnabled) return { value: true, because: 'cgo is enabled' };
  if (name === goos) return { value: true, because: `GOOS is ${goos}` };
  if (name === goarch) return { value: true, because: `GOARCH is ${goarch}` };
  if (name === target.compiler) return { value: true, because: `the compiler is ${target.compiler}` };
  if (IMPLIED_OS[goos] === name) return { value: true, because: `GOOS ${goos} implies ${name}` };
  if (name === 'unix' && UNIX_OS.has(goos)) return { value: true, because: `${goos} is a Unix system` };
  // boringcrypto is the old spelling of the goexperiment.boringcrypto tool tag.
  const lookup = name === 'boringcrypto' ? 'goexperiment.boringcrypto' : name;
  if (target.buildTags.includes(lookup)) return { value: true, because: 'set with -tags' };
  if (target.toolTags.includes(lookup)) return { value: true, because: toolTagReason(target, lookup, true) };
  const minor = releaseTagMinor(lookup);
  if (minor !== undefined) {
    return minor <= target.goVersion
      ? { value: true, because: `the toolchain is go1.${target.goVersion}` }
      : { value: false, because: `the toolchain is go1.${target.goVersion}` };
  }
  return { value: false, because: falseTagReason(target, lookup) };
}

function toolTagReason(target: BuildTarget, name: string, value: boolean): string {
  if (name.startsWith('goexperiment.')) {
    return `GOEXPERIMENT ${value ? 'enables' : 'does not enable'} ${name.slice('goexperiment.'.length)}`;
  }
  const arch = name.slice(0, name.indexOf('.'));
  const variable = ARCH_LEVEL_VARIABLE[arch];
  if (arch !== target.goarch) return `GOARCH is ${target.goarch}`;
  const levels = target.toolTags.filter((t) => t.startsWith(arch + '.')).map((t) => t.slice(arch.length + 1));
  return `${variable ?? 'the architecture level'} gives ${levels.join(', ') || 'no level tags'}`;
}

function falseTagReason(target: BuildTarget, name: string): string {
  const { goos, goarch } = target;
  if (name === 'cgo') return 'cgo is disabled';
  if (name === 'unix') return `${goos} is not a Unix system`;
  if (KNOWN_OS.has(name)) return `GOOS is ${goos}`;
  if (KNOWN_ARCH.has(name)) return `GOARCH is ${goarch}`;
  if (name === 'gc' || name === 'gccgo') return `the compiler is ${target.compiler}`;
  if (name.startsWith('goexperiment.')) return toolTagReason(target, name, false);
  const dot = name.indexOf('.');
  if (dot > 0 && ARCH_LEVEL_VARIABLE[name.slice(0, dot)] !== undefined) return toolTagReason(target, name, false);
  return 'not set with -tags';
}
