import "server-only";
import Redis from "ioredis";
import { env } from "@/lib/env";

const globalKey = Symbol.for("readerfund.redis");
type GlobalWithRedis = typeof globalThis & { [globalKey]?: Redis | null };

/**
 * The Redis the rate limits use when REDIS_URL is set (one client per process); null without it,
 * and the counters stay in PostgreSQL. A Redis that is down must not hold a reader up: commands
 * fail within two seconds, and the guard then counts in memory until it is back.
 */
export function rateLimitRedis(): Redis | null {
  const holder = globalThis as GlobalWithRedis;
  if (holder[globalKey] === undefined) {
    const url = env().redisUrl;
    holder[globalKey] = url ? createRedis(url) : null;
  }

  return holder[globalKey];
}

export function createRedis(url: string): Redis {
  const redis = new Redis(url, { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
  // Without a listener ioredis prints every reconnect failure; the guard logs what matters.
  redis.on("error", () => {});

  return redis;
}
