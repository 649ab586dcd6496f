// Live capture from net/http/pprof: every endpoint of a real Go server, and
// the ways a URL can disappoint (refused, silent, HTML, error page, huge
// body, cancelled), served by local Node servers.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { decodeProfile } from '../../src/core/pprof/decode';
import { parseGoroutineDump } from '../../src/core/pprof/goroutineText';
import {
  CAPTURE_ENDPOINTS,
  CaptureError,
  captureFileName,
  endpointUrl,
  fetchCapture,
  pprofBaseUrl,
} from '../../src/extension/captureFetch';
import { startLeakyServer, type LeakyServer } from '../fixtures/leakyServer';

const options = { timeoutMs: 15_000, maxBytes: 64 << 20 };

function endpoint(label: string) {
  const found = CAPTURE_ENDPOINTS.find((e) => e.label === label);
  assert.ok(found, label);
  return found;
}

describe('every endpoint of a real Go server', () => {
  let server: LeakyServer;
  before(async () => (server = await startLeakyServer('100ms')));
  after(() => server?.stop());

  const sampleTypes: Record<string, string[]> = {
    heap: ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'],
    allocs: ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'],
    goroutine: ['goroutine'],
    block: ['contentions', 'delay'],
    mutex: ['contentions', 'delay'],
    threadcreate: ['threadcreate'],
    profile: ['samples', 'cpu'],
  };
  for (const [label, types] of Object.entries(sampleTypes)) {
    test(`${label} is a profile goperf decodes`, async () => {
      const url = endpointUrl(pprofBaseUrl(server.url), endpoint(label), 1);
      const bytes = await fetchCapture(url, 'profile', options);
      const profile = decodeProfile(bytes, label);
      assert.deepEqual(profile.sampleTypes.map((t) => t.type), types);
    });
  }

  test('trace?seconds=1 is a Go execution trace', async () => {
    const url = endpointUrl(pprofBaseUrl(server.url), endpoint('trace'), 1);
    assert.equal(url.search, '?seconds=1');
    const bytes = await fetchCapture(url, 'trace', options);
    assert.match(new TextDecoder().decode(bytes.subarray(0, 16)), /^go 1\.\d+ trace\0/);
  });

  test('goroutine?debug=2 is a dump goperf parses', async () => {
    const url = endpointUrl(pprofBaseUrl(server.url), endpoint('goroutine (debug=2 text)'));
    assert.equal(url.search, '?debug=2');
    const dump = parseGoroutineDump(new TextDecoder().decode(await fetchCapture(url, 'goroutine-text', options)), 'dump');
    assert.ok(dump.filter((g) => g.frames[0]?.function === 'main.idleWorker').length === 8);
  });

  test("an unknown profile: Go's 404 text is named in the message", async () => {
    const url = new URL('nothing', pprofBaseUrl(server.url));
    await assert.rejects(fetchCapture(url, 'profile', options), (error: CaptureError) => {
      assert.equal(error.code, 'http');
      assert.equal(error.message, `${url.href} answered 404 Not Found: “Unknown profile”`);
      return true;
    });
  });

  test('the index page is HTML, not a profile', async () => {
    const url = pprofBaseUrl(server.url);
    await assert.rejects(fetchCapture(url, 'profile', options), (error: CaptureError) => {
      assert.equal(error.code, 'html');
      assert.match(error.message, new RegExp(`^${url.href.replace(/[.?]/g, '\\$&')} returned an HTML page \\(“/debug/pprof/”\\)`));
      return true;
    });
  });

  test('cancel stops a 30 s CPU profile at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const url = endpointUrl(pprofBaseUrl(server.url), endpoint('profile'), 30);
    await assert.rejects(fetchCapture(url, 'profile', { ...options, timeoutMs: 60_000, signal: controller.signal }), {
      code: 'cancelled',
    });
    assert.ok(Date.now() - started < 5_000);
  });
});

describe('bad answers', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case '/debug/pprof/silent':
          return; // never answers
        case '/debug/pprof/login':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>');
          return;
        case '/debug/pprof/error':
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('profile duration exceeds server\'s WriteTimeout\n');
          return;
        case '/debug/pprof/text':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('hello world\n');
          return;
        case '/debug/pprof/huge': {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const chunk = Buffer.alloc(64 * 1024, 0x1f);
          const write = () => {
            while (res.write(chunk)) if (res.writableLength > 1 << 20) break;
            if (!res.destroyed) setTimeout(write, 1);
          };
          res.on('close', () => res.destroy());
          write();
          return;
        }
        case '/debug/pprof/announced':
          res.writeHead(200, { 'content-length': String(512 << 20) });
          res.write('x');
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const expectations: [string, { code: CaptureError['code']; message: RegExp }][] = [
    ['silent', { code: 'timeout', message: /^http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/silent did not answer within 1 s$/ }],
    ['login', { code: 'html', message: /returned an HTML page \(“Sign in”\), not a profile/ }],
    ['error', { code: 'http', message: /error answered 500 Internal Server Error: “profile duration exceeds server's WriteTimeout”$/ }],
    ['text', { code: 'not-a-profile', message: /text returned 12 bytes that are not a gzip-compressed pprof profile: “hello world”$/ }],
    ['huge', { code: 'too-large', message: /huge sent more than the 4\.0 MB allowed \(goperf\.capture\.maxSizeMB\); the download was stopped$/ }],
    ['announced', { code: 'too-large', message: /announced 512\.0 MB, more than the 4\.0 MB allowed/ }],
  ];
  for (const [path, expected] of expectations) {
    test(path, async () => {
      await assert.rejects(fetchCapture(new URL(path, base), 'profile', { timeoutMs: 1000, maxBytes: 4 << 20 }), (error: CaptureError) => {
        assert.equal(error.code, expected.code);
        assert.match(error.message, expected.message);
        return true;
      });
    });
  }

  test('a port nobody listens on: connection refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(fetchCapture(new URL(`http://127.0.0.1:${port}/debug/pprof/heap`), 'profile', options), (error: CaptureError) => {
      assert.equal(error.code, 'refused');
      assert.equal(error.message, `Could not connect to 127.0.0.1:${port}: connection refused. Is the server running and serving net/http/pprof?`);
      return true;
    });
  });
});

describe('addresses and file names', () => {
  test('what users type becomes the /debug/pprof/ folder', () => {
    assert.equal(pprofBaseUrl('localhost:6060').href, 'http://localhost:6060/debug/pprof/');
    assert.equal(pprofBaseUrl(' http://10.0.0.1:8080/ ').href, 'http://10.0.0.1:8080/debug/pprof/');
    assert.equal(pprofBaseUrl('http://h:1/debug/pprof/heap?debug=1').href, 'http://h:1/debug/pprof/');
    assert.equal(pprofBaseUrl('https://h/admin/debug/pprof').href, 'https://h/admin/debug/pprof/');
    assert.throws(() => pprofBaseUrl(''), { code: 'bad-url' });
    assert.throws(() => pprofBaseUrl('ftp://h/'), /only http and https/);
    assert.throws(() => pprofBaseUrl('http://[bad'), /is not a URL/);
  });

  test('file names say what, where from and when, and sort by time', () => {
    const url = new URL('http://127.0.0.1:6060/debug/pprof/heap');
    const date = new Date(2026, 10, 27, 9, 5, 3);
    assert.equal(captureFileName(endpoint('heap'), url, date), 'heap-127.0.0.1_6060-20261127-090503.pb.gz');
    assert.equal(captureFileName(endpoint('trace'), url, date), 'trace-127.0.0.1_6060-20261127-090503.trace');
    assert.equal(captureFileName(endpoint('goroutine (debug=2 text)'), url, date), 'goroutine-debug2-127.0.0.1_6060-20261127-090503.txt');
  });
});
