// The HTML page around the flame graph webview script, shared by the VS Code
// webview (script loaded from a webview URI) and the standalone page written
// by `goperf flame` (script and profile inlined, no network at all).

export interface EmbeddedProfile {
  fileName: string;
  /** The profile file's bytes, base64-encoded (the webview reads window.__GOPERF_PROFILE__). */
  base64: string;
  /** The sample type to show first (a name from the profile's sample types), when not the default. */
  sampleType?: string;
}

export interface ProfilePageOptions {
  /** A fresh random value per page; every script on the page carries it. */
  nonce: string;
  title: string;
  /** The webview's `cspSource` (VS Code only): where styles, fonts and images may come from. */
  cspSource?: string;
  /** The script as a webview URI (VS Code). */
  scriptUri?: string;
  /** The script's source, inlined (standalone page). */
  inlineScript?: string;
  embeddedProfile?: EmbeddedProfile;
}

export function renderProfilePageHtml(o: ProfilePageOptions): string {
  if ((o.scriptUri === undefined) === (o.inlineScript === undefined)) {
    throw new Error('renderProfilePageHtml needs exactly one of scriptUri and inlineScript');
  }
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) {
    throw new Error('renderProfilePageHtml needs a nonce of at least 16 base64/hex characters');
  }
  const sources = o.cspSource ? `${o.cspSource} ` : '';
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${sources}'nonce-${o.nonce}'`,
    `font-src ${sources}data:`,
    `img-src ${sources}data:`,
    // The page decodes in a Web Worker started from a blob: URL of its own script;
    // in VS Code it fetches that script from its webview URI first.
    'worker-src blob:',
    ...(o.cspSource ? [`connect-src ${o.cspSource}`] : []),
  ].join('; ');
  const nonce = escapeAttribute(o.nonce);
  const profileScript = o.embeddedProfile
    ? `<script nonce="${nonce}">window.__GOPERF_PROFILE__ = ${scriptSafeJson(o.embeddedProfile)};</script>\n`
    : '';
  const mainScript =
    o.scriptUri !== undefined
      ? `<script nonce="${nonce}" src="${escapeAttribute(o.scriptUri)}"></script>`
      : `<script nonce="${nonce}">${scriptSafeSource(o.inlineScript ?? '')}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(o.title)}</title>
</head>
<body>
${profileScript}${mainScript}
</body>
</html>
`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/** JSON that cannot end the <script> element it sits in. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Script text that the HTML parser reads back unchanged: "</script" would
 * close the element and "<!--" would switch the parser into its escaped
 * mode. Both only occur inside string, template or regex literals of a
 * bundle, where the escaped forms mean the same characters.
 */
function scriptSafeSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
