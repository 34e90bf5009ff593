// Virtual objects that refer to each other: materialized with their cycle when they escape into a
// residual call, rebuilt with it by an exit; identity comparisons of virtuals fold.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { specializeAt } from "../../src/pe/index.ts";
import { findOps, loadProgram, run, setup, verify } from "./util.ts";

describe("virtual objects", () => {
  it("materialize cycles for residual calls and rebuild them at exits", () => {
    const p = loadProgram("cycle.ll");
    const { heap, l3 } = setup(p);
    const none = specializeAt(p, "run", [0], { heap });
    const seen = specializeAt(p, "run", [0], { heap, promote: () => 5 });
    verify(p);
    assert.ok(findOps(none.graph, "ref_eq").length === 0, "ref_eq of two virtuals folds");
    assert.ok(
      none.exits.some((e) => e.reason === "promote" && e.virtuals.length === 2),
      "the promote exit rebuilds both nodes",
    );
    assert.equal(findOps(none.graph, "new", "Node").length, 2, "the escaping side allocates both nodes");
    for (const r of [none, seen])
      for (const x of [-5, 5, 7]) assert.deepEqual(run(l3, r.graph.name, [x]), run(l3, "run", [x]), `${r.graph.name}(${x})`);
  });
});
