/**
 * Checks that parameter names map onto a torch module tree, where the dots of
 * `layers.0.W_in` are submodules (`layers` → `0`) holding a parameter (`W_in`),
 * so that `state_dict()` keys equal the names. Throws, naming the parameter(s)
 * at fault, on an empty part (`a..b`, `.a`, `a.`) and on a name that is both
 * a parameter and the prefix of another (`head` and `head.b`): a module tree
 * cannot hold both.
 */
export function checkParamNames(names: readonly string[]): void {
  for (const name of names) {
    if (name.split(".").some((part) => part === "")) {
      throw new Error(`parameter "${name}" cannot be a torch state_dict key: a name part between dots is empty, and torch names submodules by these parts`);
    }
  }
  const params = new Set(names);
  for (const name of names) {
    const parts = name.split(".");
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join(".");
      if (params.has(prefix)) {
        throw new Error(
          `parameter "${prefix}" is also the prefix of parameter "${name}": in a torch module "${prefix}" would have to be both a parameter and a submodule; rename one of them`,
        );
      }
    }
  }
}
