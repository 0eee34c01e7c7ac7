import { getDb } from "@/db";
import { AppError } from "@/lib/errors";
import { churnFor, type ChurnMonth, type CurrencyFigures, figuresFor, reportingMode } from "./figures";
import { type Period, ZCurrency, ZPeriod } from "./period";
import { verifyBearer } from "./tokens";

export type FinanceSummary = {
  period: Period;
  mode: "live" | "test";
  /** Amounts are integers in minor units of the currency named beside them. */
  currencies: Array<CurrencyFigures & { churn: ChurnMonth[] }>;
};

/**
 * GET /api/finance/summary for an accounting tool: the dashboard's figures for a period, all
 * currencies or one. The token is checked first; an unknown or revoked one learns nothing else
 * (not even whether its query was valid).
 */
export async function financeSummary(authorization: string | null, params: URLSearchParams): Promise<FinanceSummary> {
  const token = await verifyBearer(authorization);
  if (!token) throw new AppError("UNAUTHORIZED", "A valid API token is required.");
  const period = ZPeriod.safeParse({ from: params.get("from") ?? undefined, to: params.get("to") ?? undefined });
  if (!period.success) throw new AppError("INVALID_INPUT", period.error.issues.map((issue) => issue.message).join("; "));
  const currencyParam = params.get("currency");
  const currency = currencyParam === null ? null : ZCurrency.safeParse(currencyParam);
  if (currency && !currency.success) throw new AppError("INVALID_INPUT", currency.error.issues[0]!.message);
  const db = getDb();
  const figures = (await figuresFor(period.data, db)).filter((f) => !currency || f.currency === currency.data);
  const currencies = [];
  for (const f of figures) currencies.push({ ...f, churn: await churnFor(period.data, f.currency, db) });

  return { period: period.data, mode: reportingMode(), currencies };
}
