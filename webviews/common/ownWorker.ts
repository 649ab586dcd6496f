// Starting a Web Worker from the page's own bundle: the bundle notices it has
// no document and serves requests instead of building the page. Its code
// comes from a blob: URL made from the script's own text, which needs
// `worker-src blob:` in the CSP and either an inline script (the standalone
// page) or a CSP `connect-src` that lets the page fetch its script URL.
// Shared by the flame graph and the trace timeline.

/** Reads the page's CSP from its <meta> tag: directive name -> source list. */
function pagePolicy(): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  const meta = document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]');
  for (const directive of (meta?.content ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    // Browsers obey the first of repeated directives and ignore the rest.
    if (name && !policy.has(name.toLowerCase())) policy.set(name.toLowerCase(), sources);
  }
  return policy;
}

function allows(policy: Map<string, string[]>, directives: string[], source: string): boolean {
  // Without a CSP meta tag nothing restricts the page (a bare test page).
  if (policy.size === 0) return true;
  for (const name of directives) {
    const sources = policy.get(name);
    if (sources) return sources.includes(source) || sources.includes('*');
  }
  return false;
}

async function ownSource(script: HTMLScriptElement | null, policy: Map<string, string[]>): Promise<string | undefined> {
  if (!script) return undefined;
  if (!script.src) return script.textContent || undefined;
  const connect = policy.get('connect-src') ?? policy.get('default-src');
  if (policy.size > 0 && (!connect || connect.includes("'none'"))) return undefined;
  try {
    const response = await fetch(script.src);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle's own text (inline, or fetched when the CSP lets the page), e.g. to write a standalone page. */
export function ownScriptText(script: HTMLScriptElement | null): Promise<string | undefined> {
  return ownSource(script, pagePolicy());
}

/** Resolves once the worker posted `{ kind: 'ready' }`; undefined when it failed to start. */
function startWorker(source: string, name: string): Promise<Worker | undefined> {
  let worker: Worker;
  let url: string;
  try {
    url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    worker = new Worker(url, { name });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<{ kind?: string }>) => {
      if (event.data?.kind !== 'ready') return;
      URL.revokeObjectURL(url);
      resolve(worker);
    };
    worker.onerror = () => {
      URL.revokeObjectURL(url);
      worker.terminate();
      resolve(undefined);
    };
  });
}

/**
 * A worker running `script`'s own code when the page's CSP allows one,
 * ready to take requests; undefined when the page must do the work itself.
 */
export async function startOwnWorker(script: HTMLScriptElement | null, name: string): Promise<Worker | undefined> {
  const policy = pagePolicy();
  if (typeof Worker !== 'function' || !allows(policy, ['worker-src', 'child-src', 'script-src', 'default-src'], 'blob:')) {
    return undefined;
  }
  const source = await ownSource(script, policy);
  return source ? startWorker(source, name) : undefined;
}
