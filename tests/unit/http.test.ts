import { describe, expect, it } from "vitest";
import { clientAddressOf } from "@/lib/http";

const withHeader = (name: string, value: string) => new Request("http://localhost:3000/api/checkout", { method: "POST", headers: { [name]: value } });

describe("clientAddressOf", () => {
  it("reads from a request only the header CLIENT_IP_HEADER names (the tests' setup names x-forwarded-for)", () => {
    expect(clientAddressOf(withHeader("x-forwarded-for", "10.1.1.1, 203.0.113.8"))).toBe("203.0.113.8");
    expect(clientAddressOf(withHeader("cf-connecting-ip", "203.0.113.9"))).toBeNull();
    expect(clientAddressOf(new Request("http://localhost:3000/"))).toBeNull();
  });
});
