// Time as the core sees it; tests may substitute their own.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
