// A typed API client (ordinary code, no secrets).
import { createHash } from "crypto";

export interface Credentials {
  apiKey: string;
  token?: string;
  password: string;
}

export type KeyPair = { publicKey: string; privateKey: string };

const API_KEY_HEADER = "X-Api-Key";
const TOKEN_STORAGE_KEY = "app.auth.token";
const defaultOptions = { retries: 3, timeoutMs: 10_000, keepAlive: true };

export class ApiClient {
  private token: string | null = null;

  constructor(private readonly baseUrl: string, private readonly apiKey: string = process.env.API_KEY ?? "") {}

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.baseUrl}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", [API_KEY_HEADER]: this.apiKey },
      body: JSON.stringify({ username, password }),
    });
    const { token } = await res.json();
    this.token = token;
    localStorage.setItem(TOKEN_STORAGE_KEY, token);
  }

  authHeaders(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  cacheKey(path: string, params: Record<string, string>): string {
    const key = createHash("sha256").update(path + JSON.stringify(params)).digest("hex");
    return `cache:${key}`;
  }
}

export const keyMap: Record<string, string> = { ArrowUp: "up", ArrowDown: "down", Escape: "cancel" };
export function sortByKey<T>(items: T[], key: keyof T): T[] {
  return [...items].sort((a, b) => (a[key] > b[key] ? 1 : -1));
}
