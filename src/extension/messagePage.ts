// A script-free page for the profile editor when there is nothing to draw
// (file too large, unreadable): the message stays where the user looked.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function messagePageHtml(title: string, message: string, nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 2em; }
  h1 { font-size: 1.2em; font-weight: 600; }
  p { max-width: 60em; line-height: 1.5; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
</body>
</html>`;
}
