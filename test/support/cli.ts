import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/callgate.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `callgate` command, as an operator would. */
export function runCli(args: string[], options: { stdin?: string; env?: Record<string, string>; cli?: string } = {}): Promise<CliResult> {
  return runCliProcess(args, options).result;
}

/**
 * `runCli`, also measuring the command's peak resident memory: its VmHWM
 * (the kernel's high-water mark of RSS) read from /proc every few
 * milliseconds while it runs, the last reading before it exits.
 */
export async function runCliMeasuringMemory(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult & { peakRssMb: number }> {
  const { child, result } = runCliProcess(args, options);
  let peakKb = 0;
  const read = () => {
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited between two readings
    }
  };
  const sampler = setInterval(read, 5);
  try {
    return { ...(await result), peakRssMb: Math.round(peakKb / 1024) };
  } finally {
    clearInterval(sampler);
  }
}

function runCliProcess(args: string[], options: { stdin?: string; env?: Record<string, string>; cli?: string }) {
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    env: { ...process.env, DATABASE_URL: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    // Decoded across chunks: a character split between two reads stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
  return { child, result };
}

/** Starts `callgate serve --port 0` (of another checkout with `cli`) and resolves once it prints its URL. */
export function startCliServer(args: string[], env: Record<string, string> = {}, cli = CLI) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], {
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      try {
        resolve((JSON.parse(stdout) as { url: string }).url);
      } catch {
        // not a whole JSON document yet
      }
    });
    child.on('exit', (code) => reject(new Error(`callgate serve exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exited, stderr: () => stderr };
}
