// Typed access to the `goperf.*` settings declared in package.json.
import * as vscode from 'vscode';
import type { BenchSettings } from '../core/go/bench';

export function goPath(scope?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('goperf', scope).get<string>('goPath')?.trim() || 'go';
}

export function benchSettings(scope: vscode.Uri): BenchSettings {
  const config = vscode.workspace.getConfiguration('goperf', scope);
  const count = config.get<number>('bench.count', 1);
  return {
    benchtime: config.get<string>('bench.benchtime')?.trim() || '1s',
    count: Number.isInteger(count) && count >= 1 ? count : 1,
    cpu: config.get<string>('bench.cpu')?.trim() || undefined,
    benchmem: config.get<boolean>('bench.benchmem', true),
    timeout: config.get<string>('bench.timeout')?.trim() || undefined,
    extraArgs: config.get<string[]>('bench.extraArgs', []).filter((arg) => typeof arg === 'string' && arg !== ''),
  };
}

export function codeLensEnabled(scope: vscode.Uri): boolean {
  return vscode.workspace.getConfiguration('goperf', scope).get<boolean>('codeLens.enabled', true);
}

export function maxProfileBytes(scope: vscode.Uri): number {
  const megabytes = vscode.workspace.getConfiguration('goperf', scope).get<number>('profile.maxFileSizeMB', 1024);
  return (megabytes > 0 ? megabytes : 1024) * 1024 * 1024;
}
