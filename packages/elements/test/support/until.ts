/** Polls until `find` returns something truthy, and returns it (e.g. a dialog that opens once its chunk loaded). */
export async function until<T>(find: () => T | null | undefined | false, what = 'condition'): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} not reached in time`);
}
