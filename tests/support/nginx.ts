import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, waitForHttp } from "../../scripts/lib/processes";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx"];

/** Debian's nginx, if installed (`apt-get install nginx-light`; CI installs it). */
export function findNginx(): string | null {
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

export type StartedProxy = { url: string; port: number; stop: () => Promise<void> };

/**
 * A real reverse proxy in front of the app, configured as the README tells an operator to: it
 * appends the client's address to X-Forwarded-For (so whatever the client wrote stands to its left)
 * and keeps the Host. Its own files live in a temporary directory; it is stopped by its own PID.
 */
export async function startNginx(options: ({ upstreamPort: number } | { upstreamPorts: number[] }) & { port?: number }): Promise<StartedProxy> {
  // Several: round robin, as a load balancer in front of several instances spreads requests.
  const ports = "upstreamPorts" in options ? options.upstreamPorts : [options.upstreamPort];
  const binary = findNginx();
  if (!binary) throw new Error("nginx is not installed (apt-get install nginx-light)");
  const dir = mkdtempSync(path.join(tmpdir(), "readerfund-nginx-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, sub));
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `${isRoot ? "user root;\n" : ""}worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { ${ports.map((upstream) => `server 127.0.0.1:${upstream};`).join(" ")} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn(binary, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, 15_000, child).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${stderr}`);
  });

  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGQUIT");
          setTimeout(() => child.kill("SIGKILL"), 5000).unref();
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
