import { formatCount, formatMoney, isZeroMoney } from "../format.ts";
import type { Split } from "../types.ts";

// Numbers are right-aligned in tabular figures (CSS .num). Money keeps the API's exact string in
// data-value, so that tests compare what the server said, not what the page formatted.

export function Money({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return (
    <span className="num money" data-testid={testId} data-value={value ?? ""}>
      {formatMoney(value)}
    </span>
  );
}

export function Count({ value, testId }: { value: number | null | undefined; testId?: string }) {
  return (
    <span className="num" data-testid={testId} data-value={value ?? ""}>
      {formatCount(value)}
    </span>
  );
}

/**
 * Of a billing total: the wrong quantities and the wrong prices (price mismatches), which the by-type
 * chart shows apart. `compact` leaves it out when no price is wrong.
 */
export function SplitLine({ split, testId, compact }: { split: Split; testId?: string; compact?: boolean }) {
  if (compact && isZeroMoney(split.price)) return null;
  return (
    <span className="card-split" data-testid={testId} data-quantity={split.quantity} data-price={split.price}>
      quantity {formatMoney(split.quantity)} · price {formatMoney(split.price)}
    </span>
  );
}
