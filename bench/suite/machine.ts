// The machine the run measured, and its ceilings: loopback TCP throughput and page-cache write
// throughput on the brokers' disk, so broker figures read as a fraction of the limit.
import { spawn, execFileSync } from 'node:child_process';
import { openSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Hardware and software versions recorded with every run. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGiB: number;
  kernel: string;
  node: string;
  java: string;
}

/** Describes this machine for the report. */
export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    // `java -version` prints to stderr; its first line names the version.
    java: execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' }).split('\n')[0].trim(),
  };
}

/** Bytes per second through one loopback TCP connection: this process writes 1 MiB chunks, a child Node process reads. */
export async function loopbackThroughput(seconds: number): Promise<number> {
  const sink = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('net').createServer(c=>{let n=0,t0=0;c.on('data',b=>{if(!t0)t0=process.hrtime.bigint();n+=b.length});` +
        `c.on('end',()=>{console.log(JSON.stringify({n,ns:Number(process.hrtime.bigint()-t0)}));process.exit(0)})});` +
        `s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
    let buf = '';
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const i = buf.indexOf('\n');
        if (i >= 0) {
          const l = buf.slice(0, i);
          buf = buf.slice(i + 1);
          sink.stdout!.off('data', onData);
          resolve(l);
        }
      };
      const onData = (b: Buffer) => {
        buf += b.toString();
        check();
      };
      sink.stdout!.on('data', onData);
      sink.once('exit', () => reject(new Error('loopback sink exited early')));
      check();
    });
  const port = Number(await nextLine());
  const sock = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => sock.once('connect', r));
  const chunk = Buffer.alloc(1 << 20, 7);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
  }
  sock.end();
  const { n, ns } = JSON.parse(await nextLine()) as { n: number; ns: number };
  return n / (ns / 1e9);
}

/**
 * Buffered 1 MiB writes (no fsync) of `bytes` to a scratch file in `dir`, deleted after: bytes per
 * second over the first GiB (page cache alone) and over all of it (once the kernel's dirty-page
 * limits start throttling the writer, this is the disk's write-back rate).
 */
export function pageCacheWriteThroughput(dir: string, bytes: number): { firstGiB: number; all: number } {
  const file = path.join(dir, `page-cache-probe-${process.pid}`);
  const chunk = Buffer.alloc(1 << 20, 7);
  const firstBytes = Math.min(bytes, 2 ** 30);
  const fd = openSync(file, 'w');
  const t0 = performance.now();
  let tFirst = 0;
  try {
    for (let written = 0; written < bytes; ) {
      written += writeSync(fd, chunk);
      if (!tFirst && written >= firstBytes) tFirst = performance.now();
    }
  } finally {
    closeSync(fd);
  }
  const secs = (performance.now() - t0) / 1000;
  unlinkSync(file);
  return { firstGiB: firstBytes / ((tFirst - t0) / 1000), all: bytes / secs };
}
