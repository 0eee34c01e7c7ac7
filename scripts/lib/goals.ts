/**
 * A performance goal beside its measure, as each benchmark prints it last: one line a person can
 * read, and the same as JSON after `BENCH_GOAL` for `npm run bench`, which gathers every
 * benchmark's goals into one table (scripts/bench.ts).
 */
export type GoalResult = {
  /** What is measured, e.g. "webhook route: rate vs a trivial route, 10 connections". */
  name: string;
  /** The goal as written in the issue, e.g. "≥ 0.8". */
  goal: string;
  /** The measure, with its unit, e.g. "0.63". */
  measured: string;
  /** Whether the goal is met. */
  met: boolean;
  /** How far from the goal, either way, e.g. "short by 0.17" or "41 ms to spare". */
  margin: string;
};

export const GOAL_PREFIX = "BENCH_GOAL ";

export function reportGoal(result: GoalResult): void {
  console.log(`${GOAL_PREFIX}${JSON.stringify(result)}`);
}

/** A goal that a measure stays at or under. */
export function atMost(name: string, measured: number, goal: number, unit: string, digits = 0): GoalResult {
  const diff = goal - measured;

  return {
    name,
    goal: `≤ ${goal.toFixed(digits)}${unit}`,
    measured: `${measured.toFixed(digits)}${unit}`,
    met: measured <= goal,
    margin: diff >= 0 ? `${diff.toFixed(digits)}${unit} to spare` : `over by ${(-diff).toFixed(digits)}${unit}`,
  };
}

/** A goal that a measure reaches or passes. */
export function atLeast(name: string, measured: number, goal: number, unit: string, digits = 2): GoalResult {
  const diff = measured - goal;

  return {
    name,
    goal: `≥ ${goal.toFixed(digits)}${unit}`,
    measured: `${measured.toFixed(digits)}${unit}`,
    met: measured >= goal,
    margin: diff >= 0 ? `${diff.toFixed(digits)}${unit} to spare` : `short by ${(-diff).toFixed(digits)}${unit}`,
  };
}
